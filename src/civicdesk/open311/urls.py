"""Open311 URLs: GeoReport v2 under v2/ (format by extension) and the staff forwarding action."""

from django.urls import path, re_path

from civicdesk.open311 import forward_views, views

app_name = "open311"
FMT = r"\.(?P<fmt>[^./]+)$"
urlpatterns = [
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="services"),
    re_path(r"^v2/services/(?P<code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^v2/requests" + FMT, views.request_collection, name="requests"),
    re_path(r"^v2/requests/(?P<number>[^/]+)" + FMT, views.request_detail, name="request"),
    re_path(r"^v2/tokens/(?P<token>[^/]+)" + FMT, views.token_detail, name="token"),
    re_path(r"^v2/servicerequestupdates" + FMT, views.request_updates, name="updates"),
    re_path(r"^(?P<path>v2/.*)$", views.not_found),
    path("forward/<str:case_number>/", forward_views.forward, name="forward"),
]
