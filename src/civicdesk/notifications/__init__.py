"""Notifications for staff: assignments, residents' replies and mentions, in the desk and by email."""
