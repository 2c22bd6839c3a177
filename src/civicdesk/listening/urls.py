"""URL routes of the triage view (staff): /staff/listening/..."""

from django.urls import path

from civicdesk.listening import incident_views, staff_views, stream_views

app_name = "listening"
urlpatterns = [
    path("", staff_views.triage, name="triage"),
    path("live/", staff_views.live, name="live"),
    path("streams/", stream_views.streams, name="streams"),
    path("streams/new/", stream_views.stream_form, name="stream-new"),
    path("streams/<int:pk>/", stream_views.stream_form, name="stream"),
    path("posts.geojson", staff_views.map_data, name="map-data"),
    path("alerts/<int:pk>/", staff_views.alert_detail, name="alert"),
    path("alerts/<int:pk>/acknowledge/", staff_views.alert_acknowledge, name="alert-acknowledge"),
    path("alerts/<int:pk>/dismiss/", staff_views.alert_dismiss, name="alert-dismiss"),
    path("alerts/<int:pk>/merge/", staff_views.alert_merge, name="alert-merge"),
    path("posts/<int:pk>/group/", incident_views.post_group, name="post-group"),
    path("alerts/<int:pk>/declare/", staff_views.alert_declare, name="alert-declare"),
    path("posts/<int:pk>/case/", staff_views.post_case, name="post-case"),
    path("posts/<int:pk>/misinformation/", staff_views.post_misinformation, name="post-misinformation"),
]
