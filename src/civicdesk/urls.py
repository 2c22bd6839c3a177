"""Top-level URL map: the public portal, the staff inbox, the admin and the APIs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from civicdesk.gis import api_views as gis_api

urlpatterns = [
    path("api/areas", gis_api.areas_at_point, name="api-areas"),
    path("api/areas/lookup", gis_api.areas_lookup_many, name="api-areas-lookup"),
    path("", include("civicdesk.gis.urls")),
    path("", include("civicdesk.places.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("civicdesk.accounts.urls")),
    path("staff/", include("civicdesk.inbox.urls")),
    path("api/", include("civicdesk.api.urls")),
    path("open311/", include("civicdesk.open311.urls")),
    path("hooks/", include("civicdesk.channels.urls")),
    path("", include("civicdesk.portal.urls")),
]
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
