"""Bluesky (AT Protocol): mentions, replies and chat messages of an agency's handle."""
