"""Django app configuration for places: address points, street centrelines and named places (a city's own GIS)."""

from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "civicdesk.places"
    label = "places"
    verbose_name = "Addresses and places"
