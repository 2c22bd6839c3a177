"""URL routes of the open data export."""

from django.urls import path, re_path

from civicdesk.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("schema.json", views.schema, name="schema"),
    re_path(r"^requests\.(?P<fmt>csv|geojson)$", views.latest, name="latest"),
    re_path(r"^(?P<day>\d{4}-\d{2}-\d{2})/requests\.(?P<fmt>csv|geojson)$", views.of_day, name="of_day"),
]
