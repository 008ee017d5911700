"""The home page, the dashboard and the language switcher."""
