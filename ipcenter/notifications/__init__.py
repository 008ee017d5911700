"""Notifications: in-app inbox, and email for each."""
