"""CivicDesk contacts app."""
