"""Django app configuration for gis: boundaries, location routing, nearby duplicates, maps and hotspots."""

from django.apps import AppConfig


class GisConfig(AppConfig):
    name = "civicdesk.gis"
    label = "gis"
    verbose_name = "Boundaries and maps"

    def ready(self) -> None:
        """Subscribe to the case events and route by location first: cases sits below gis, so gis declares them."""
        from civicdesk.cases.events import CaseChanged, CaseCreated, subscribe
        from civicdesk.cases.routing import add_router
        from civicdesk.gis.actions import after_case_created
        from civicdesk.gis.case_locations import on_case_changed
        from civicdesk.gis.routing import route_by_location

        subscribe(CaseCreated, after_case_created)
        subscribe(CaseChanged, on_case_changed)
        add_router(route_by_location, first=True)
