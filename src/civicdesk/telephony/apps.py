"""Django app configuration for telephony (voice calls, voicemail and logged calls)."""

from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "civicdesk.telephony"
    label = "telephony"
    verbose_name = "Telephony"
