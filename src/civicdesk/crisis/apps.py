"""Django app configuration for crisis: incidents, alert subscriptions and broadcasts."""

from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "civicdesk.crisis"
    label = "crisis"
    verbose_name = "Crisis mode"

    def ready(self) -> None:
        """Answer JOIN and YES before a text becomes a case message, and end alert subscriptions on STOP: the
        conversation layer sits below crisis, so crisis registers its text commands there."""
        from civicdesk.conversations.inbound_hooks import Stage, on_opt_out, register
        from civicdesk.crisis.sms_commands import claim_text, end_sms_subscriptions

        register(claim_text, stage=Stage.COMMAND)
        on_opt_out(end_sms_subscriptions)
