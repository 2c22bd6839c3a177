"""CivicDesk demo app."""
