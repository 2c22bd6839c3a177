"""Migrations of the runtime app."""
