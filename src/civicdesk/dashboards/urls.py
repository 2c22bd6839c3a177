"""URL routes of the staff dashboards (under /staff/dashboard/)."""

from django.urls import path

from civicdesk.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.live, name="live"),
    path("live/", views.live_panel, name="live-panel"),
    path("trends/", views.trends_page, name="trends"),
]
