"""Django app configuration for automatic assignment: subscribes to the case events that put a case in a queue."""

from django.apps import AppConfig


class AssignmentConfig(AppConfig):
    name = "civicdesk.assignment"
    label = "assignment"
    verbose_name = "Automatic assignment"

    def ready(self) -> None:
        from civicdesk.assignment.actions import on_case_changed, on_case_created
        from civicdesk.cases.events import CaseChanged, CaseCreated, subscribe

        # cases publishes these events; it never imports this app
        subscribe(CaseCreated, on_case_created)
        subscribe(CaseChanged, on_case_changed)
