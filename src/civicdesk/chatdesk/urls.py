"""URL routes of live chat on the staff side, mounted at /staff/chats/."""

from django.urls import path

from civicdesk.chatdesk import views

app_name = "chatdesk"
urlpatterns = [
    path("", views.chats, name="chats"),
]
