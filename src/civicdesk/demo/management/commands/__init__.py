"""The seed-demo command."""
