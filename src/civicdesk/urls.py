"""Top-level URL map: the public portal, the staff inbox, the admin and the APIs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/", include("civicdesk.inbox.urls")),
    path("api/", include("civicdesk.api.urls")),
    path("", include("civicdesk.portal.urls")),
]
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
