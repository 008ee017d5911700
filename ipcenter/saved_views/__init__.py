"""Saved views: a staff member's filters of the case finder kept under a name, for themselves or shared with one of
their posts, and the one each person opens the finder with."""
