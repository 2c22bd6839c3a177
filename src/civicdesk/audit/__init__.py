"""CivicDesk audit app."""
