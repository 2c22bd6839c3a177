"""URL routes of crisis mode: the public incident and alert pages, and the staff pages."""

from django.urls import path

from civicdesk.crisis import portal_views, staff_views

app_name = "crisis"
urlpatterns = [
    path("incidents/<slug:slug>/", portal_views.incident_page, name="incident"),
    path("incidents/<slug:slug>/areas.geojson", portal_views.incident_areas, name="incident-areas"),
    path("alerts/", portal_views.subscribe, name="subscribe"),
    path("alerts/sent/", portal_views.subscribe_sent, name="subscribe-sent"),
    path("alerts/confirm/<str:token>/", portal_views.confirm, name="confirm"),
    path("alerts/stop/<str:token>/", portal_views.unsubscribe, name="unsubscribe"),
    path("alerts/stop/<str:token>/one-click/", portal_views.unsubscribe_one_click, name="unsubscribe-one-click"),
    path("staff/incidents/", staff_views.incident_list, name="staff-incidents"),
    path("staff/incidents/new/", staff_views.incident_declare, name="staff-declare"),
    path("staff/incidents/<slug:slug>/", staff_views.incident_dashboard, name="staff-incident"),
    path("staff/incidents/<slug:slug>/update/", staff_views.incident_update, name="staff-update"),
    path("staff/incidents/<slug:slug>/end/", staff_views.incident_end, name="staff-end"),
    path("staff/incidents/<slug:slug>/broadcast/", staff_views.broadcast_new, name="staff-broadcast-new"),
    path("staff/broadcasts/<int:pk>/", staff_views.broadcast_progress, name="staff-broadcast"),
]
