"""Django app configuration for satisfaction surveys and "Is it fixed?" questions."""

from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "civicdesk.satisfaction"
    label = "satisfaction"
    verbose_name = "Satisfaction and follow-up"

    def ready(self) -> None:
        from civicdesk.cases.events import CaseChanged, subscribe
        from civicdesk.conversations.inbound_hooks import Stage, register
        from civicdesk.satisfaction.sms_answers import take_sms_answer
        from civicdesk.satisfaction.triggers import on_case_changed

        subscribe(CaseChanged, on_case_changed)
        register(take_sms_answer, stage=Stage.ANSWER)
