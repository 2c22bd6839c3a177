"""URL routes of the public portal."""

from django.urls import path

from civicdesk.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:code>/", views.service_request, name="service_request"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("requests/<str:number>/submitted/", views.confirmation, name="confirmation"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("status/<str:number>/", views.status_detail, name="status_detail"),
    path("status/<str:number>/photos/<int:photo_id>/", views.status_photo, name="status_photo"),
]
