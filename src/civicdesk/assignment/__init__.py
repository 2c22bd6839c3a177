"""Automatic assignment of cases to the available agents of a team."""
