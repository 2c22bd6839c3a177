"""CivicDesk mail app."""
