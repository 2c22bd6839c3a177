"""CivicDesk portal app."""
