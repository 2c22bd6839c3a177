"""The project's URLs plus views that fail on purpose, for the error page tests (see test_error_pages)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from civicdesk.urls import handler403, handler404, handler500  # noqa: F401
from civicdesk.urls import urlpatterns as project_urls


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("not yours")


urlpatterns = [path("boom/", boom), path("staff/boom/", boom), path("forbidden/", forbidden), *project_urls]
