"""CivicDesk cases app."""
