"""URL routes of the gis app: nearby-duplicate prompt, public and staff maps, GeoJSON layers, initiatives."""

from django.urls import path

from civicdesk.gis import initiative_views, map_views, views

app_name = "gis"
urlpatterns = [
    path("gis/nearby", views.nearby, name="nearby"),
    path("gis/nearby/<str:public_id>/follow", views.follow, name="follow"),
    path("staff/duplicates/<str:number>/merge-into/<str:survivor>/", views.merge_duplicate, name="merge-duplicate"),
    path("staff/relocate/<str:number>/", views.relocate, name="relocate"),
    path("gis/cases.geojson", map_views.public_cases_geojson, name="public-cases"),
    path("gis/areas.geojson", map_views.areas_geojson, name="areas"),
    path("map/", map_views.public_map, name="public-map"),
    path("map/requests", map_views.public_list, name="public-list"),
    path("staff/map/", map_views.staff_map, name="staff-map"),
    path("staff/map/cases.geojson", map_views.staff_cases_geojson, name="staff-cases"),
    path("staff/map/hotspots.geojson", map_views.hotspots_geojson, name="hotspots"),
    path("staff/initiatives/", initiative_views.initiative_list, name="initiatives"),
    path("staff/initiatives/new/", initiative_views.initiative_create, name="initiative-create"),
    path("staff/initiatives/<int:pk>/", initiative_views.initiative_detail, name="initiative"),
    path("staff/initiatives/<int:pk>/edit/", initiative_views.initiative_edit, name="initiative-edit"),
]
