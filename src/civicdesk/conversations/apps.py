"""Django app configuration for conversations: the pipeline, threading, replies and delivery above cases."""

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "civicdesk.conversations"
    label = "conversations"
