"""Twilio: SMS, MMS and voice webhooks, and the Messages API."""
