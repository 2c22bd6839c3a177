"""URL routes of the public scorecard."""

from django.urls import path, re_path

from civicdesk.scorecard import views

app_name = "scorecard"
urlpatterns = [
    path("", views.city, name="city"),
    re_path(r"^scorecard\.(?P<fmt>csv|json)$", views.city, name="city-file"),
    path("<slug:slug>/", views.agency, name="agency"),
    re_path(r"^(?P<slug>[-\w]+)\.(?P<fmt>csv|json)$", views.agency, name="agency-file"),
    path("<slug:slug>/<slug:code>/", views.service, name="service"),
    re_path(r"^(?P<slug>[-\w]+)/(?P<code>[-\w]+)\.(?P<fmt>csv|json)$", views.service, name="service-file"),
]
