"""CivicDesk api app."""
