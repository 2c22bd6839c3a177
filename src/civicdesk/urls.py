"""Top-level URL map: the public portal, the staff inbox, the admin and the APIs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from civicdesk.gis import api_views as gis_api

urlpatterns = [
    path("api/areas", gis_api.areas_at_point, name="api-areas"),
    path("api/areas/lookup", gis_api.areas_lookup_many, name="api-areas-lookup"),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the header's language switcher posts here
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"),
    path("", include("civicdesk.gis.urls")),
    path("", include("civicdesk.places.urls")),
    path("", include("civicdesk.crisis.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("civicdesk.accounts.urls")),
    path("staff/outbox/", include("civicdesk.mail.urls")),
    path("staff/notifications/", include("civicdesk.notifications.urls")),
    path("staff/chats/", include("civicdesk.chatdesk.urls")),
    path("staff/dashboard/", include("civicdesk.dashboards.urls")),
    path("staff/listening/", include("civicdesk.listening.urls")),
    path("staff/", include("civicdesk.inbox.urls")),
    path("api/", include("civicdesk.api.urls")),
    path("open311/", include("civicdesk.open311.urls")),
    path("open-data/", include("civicdesk.opendata.urls")),
    path("scorecard/", include("civicdesk.scorecard.urls")),
    path("hooks/twilio/<int:account_id>/", include("civicdesk.telephony.urls")),  # voice: before the generic entry
    path("hooks/", include("civicdesk.channels.urls")),
    path("chat/", include("civicdesk.chat.urls")),
    path("", include("civicdesk.satisfaction.urls")),
    path("", include("civicdesk.portal.urls")),
]
handler404 = "civicdesk.web.errors.page_not_found"
handler403 = "civicdesk.web.errors.permission_denied"
handler500 = "civicdesk.web.errors.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
