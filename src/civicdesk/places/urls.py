"""URL routes of the places app: search suggestions, reverse geocoding and the base map layer."""

from django.urls import path

from civicdesk.places import views

app_name = "places"
urlpatterns = [
    path("places/search", views.search, name="search"),
    path("places/nearest", views.nearest, name="nearest"),
    path("places/basemap.geojson", views.basemap_geojson, name="basemap"),
]
