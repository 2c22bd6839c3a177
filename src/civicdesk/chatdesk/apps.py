"""Django app configuration for the staff side of live chat."""

from django.apps import AppConfig


class ChatdeskConfig(AppConfig):
    name = "civicdesk.chatdesk"
    label = "chatdesk"
    verbose_name = "Live chat (staff)"
