"""Branded error pages: 404, 403 (and a refused form: CSRF), public or staff layout by path, and a static-safe 500."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

STAFF_PREFIX = "/staff/"


def layout_for(request: HttpRequest) -> str:
    """Staff pages keep the staff header; every other page gets the public one."""
    return "inbox/base_staff.html" if request.path.startswith(STAFF_PREFIX) else "base.html"


def context_for(request: HttpRequest) -> dict[str, object]:
    return {"layout": layout_for(request), "staff_side": request.path.startswith(STAFF_PREFIX)}


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseNotFound(loader.render_to_string("errors/404.html", context_for(request), request))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return HttpResponseForbidden(loader.render_to_string("errors/403.html", context_for(request), request))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token, or with an old one (a page left open, cookies blocked)."""
    return render(request, "errors/403_csrf.html", context_for(request), status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """No database, no context processors, no URL reversing: whatever broke, this page still renders."""
    html = loader.get_template("errors/500.html").render({"SITE_NAME": settings.SITE_NAME,
                                                          "staff_side": request.path.startswith(STAFF_PREFIX)})
    return HttpResponseServerError(html)
