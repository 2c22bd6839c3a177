"""Mastodon: mentions and direct messages by the streaming API, the notifications endpoint as catch-up."""
