"""Refuse a NUL character anywhere in the path or query string with a clear 400, before any view or query sees it.

PostgreSQL cannot store or even compare a string holding NUL, so without this every lookup by a query parameter
(a service code, an agency slug, a case number in the path) is a 500 there. Forms already refuse NUL themselves
(Django's CharField), and the Open311 views answer it in the spec's own error format, so they are left to do so.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

OWN_HANDLING = ("/open311/",)
JSON_PATHS = ("/api/",)
JSON_SUFFIXES = (".json", ".geojson")


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists())


class RejectNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(OWN_HANDLING) or not has_nul(request):
            return self.get_response(request)
        message = _("The address or a parameter contains a NUL character, which is never valid.")
        if request.path.startswith(JSON_PATHS) or request.path.endswith(JSON_SUFFIXES):
            return JsonResponse({"error": message, "detail": message}, status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
