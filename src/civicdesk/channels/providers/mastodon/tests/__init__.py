"""Tests of the Mastodon provider."""
