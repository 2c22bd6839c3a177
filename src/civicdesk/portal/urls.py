"""URL routes of the portal app."""

from django.urls import path

app_name = "portal"
urlpatterns: list = []
