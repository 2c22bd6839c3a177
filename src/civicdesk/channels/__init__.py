"""CivicDesk channels app."""
