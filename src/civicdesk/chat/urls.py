"""URL routes of the resident's side of live chat, under /chat/."""

from django.urls import path

from civicdesk.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.panel, name="panel"),
    path("start/", views.start, name="start"),
    path("messages/", views.post_message, name="messages"),
    path("end/", views.end, name="end"),
    path("poll/", views.poll, name="poll"),
    path("events/", views.events, name="events"),
]
