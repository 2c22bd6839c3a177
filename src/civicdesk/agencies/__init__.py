"""CivicDesk agencies app."""
