"""Django app configuration for notifications: subscribes to the case events that notify staff."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "civicdesk.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from civicdesk.cases.events import CaseAssigned, MessageAdded, subscribe
        from civicdesk.inbox.presence import heartbeat
        from civicdesk.notifications.actions import heartbeat_headers, on_case_assigned, on_message_added

        # cases and conversations publish these events; they never import this app
        subscribe(CaseAssigned, on_case_assigned)
        subscribe(MessageAdded, on_message_added)
        heartbeat.connect(heartbeat_headers, dispatch_uid="notifications-bell-count")
