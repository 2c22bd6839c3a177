"""Conversations: how every channel threads, and the delivery state of outbound messages."""
