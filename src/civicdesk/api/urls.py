"""URL routes of the api app: the REST API and its OpenAPI docs at /api/docs."""

from civicdesk.api.api import api

app_name = "api"
urlpatterns = [*api.urls[0]]
