"""URL routes of the desk's live chat, mounted at /staff/chats/."""

from django.urls import path

from civicdesk.chatdesk import stream_views, views

app_name = "chatdesk"
urlpatterns = [
    path("", views.chats, name="chats"),
    path("availability/", views.availability, name="availability"),
    path("live/", views.live, name="live"),
    path("events/", stream_views.desk_events, name="events"),
    path("queue/", views.queue_fragment, name="queue"),
    path("mine/", views.panels_fragment, name="panels"),
    path("nav/", views.nav, name="nav"),
    path("<uuid:key>/accept/", views.accept, name="accept"),
    path("<uuid:key>/messages/", views.post_message, name="message"),
    path("<uuid:key>/end/", views.end, name="end"),
    path("<uuid:key>/block/", views.block, name="block"),
]
