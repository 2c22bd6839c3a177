"""CivicDesk: an open-source multichannel service desk for government."""
