"""URL routes of the inbox app."""

from django.urls import path

app_name = "inbox"
urlpatterns: list = []
