"""X (Twitter): Account Activity and X Activity webhooks, replies to mentions and direct messages."""
