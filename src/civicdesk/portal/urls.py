"""URL routes of the public portal."""

from django.urls import path

from civicdesk.portal import request_views, resident_views, unsubscribe_views, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.service_list, name="service_list"),
    path("services/<slug:code>/", views.service_request, name="service_request"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("requests/<str:public_id>/", request_views.request_page, name="request_page"),
    path("requests/<str:public_id>/photos/<int:photo_id>/", request_views.request_photo, name="request_photo"),
    path("requests/<str:public_id>/submitted/", views.confirmation, name="confirmation"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("status/<str:public_id>/", resident_views.status_detail, name="status_detail"),
    path("status/<str:public_id>/photos/<int:photo_id>/", views.status_photo, name="status_photo"),
    path("status/<str:public_id>/comment/", resident_views.comment, name="status_comment"),
    path("status/<str:public_id>/not-fixed/", resident_views.not_fixed, name="status_not_fixed"),
    path("updates/stop/<str:token>/", unsubscribe_views.unsubscribe, name="unsubscribe"),
]
