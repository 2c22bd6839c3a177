"""URL routes of the public portal."""

from django.urls import path

from civicdesk.portal import unsubscribe_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:code>/", views.service_request, name="service_request"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("requests/<str:public_id>/submitted/", views.confirmation, name="confirmation"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("status/<str:public_id>/", views.status_detail, name="status_detail"),
    path("status/<str:public_id>/photos/<int:photo_id>/", views.status_photo, name="status_photo"),
    path("updates/stop/<str:token>/", unsubscribe_views.unsubscribe, name="unsubscribe"),
]
