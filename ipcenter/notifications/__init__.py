"""Notifications: the in-app inbox, and email at once or in a daily digest, as each user chooses per group of events."""
