"""CivicDesk inbox app."""
