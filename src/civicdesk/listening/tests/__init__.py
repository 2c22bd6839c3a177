"""Tests of social listening."""
