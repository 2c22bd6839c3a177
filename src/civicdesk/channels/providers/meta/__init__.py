"""Meta: Facebook Page comments, Messenger and Instagram direct messages and comments, by webhooks and the Graph API."""
