"""Django app configuration for live chat."""

from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "civicdesk.chat"
    label = "chat"

    def ready(self) -> None:
        from civicdesk.cases.events import MessageAdded, subscribe
        from civicdesk.chat.transcript import on_message_added

        subscribe(MessageAdded, on_message_added)
