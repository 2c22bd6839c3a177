"""Django app configuration for SLA policies and case targets; subscribes to the case events that move the clocks."""

from django.apps import AppConfig


class SlasConfig(AppConfig):
    name = "civicdesk.slas"
    label = "slas"
    verbose_name = "Service level targets"

    def ready(self) -> None:
        from civicdesk.cases.events import CaseChanged, CaseCreated, MessageAdded, subscribe, subscribe_lookahead
        from civicdesk.slas.clocks import on_case_changed, on_case_created, on_message_added, running_of

        subscribe(CaseCreated, on_case_created)
        subscribe(CaseChanged, on_case_changed)
        subscribe(MessageAdded, on_message_added)
        subscribe_lookahead(running_of)
