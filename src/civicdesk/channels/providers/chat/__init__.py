"""The live chat channel's adapter (the portal's own chat: no outside provider)."""
