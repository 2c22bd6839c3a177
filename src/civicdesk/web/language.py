"""Staff pages speak STAFF_LANGUAGE (English by default) whatever the browser asks, until the staff side is
translated: a page half in English and half in Spanish, with the wrong <html lang>, helps nobody."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

STAFF_PREFIXES = ("/staff/", "/admin/")


class StaffLanguageMiddleware:
    """After LocaleMiddleware: on staff URLs, activate settings.STAFF_LANGUAGE ("" lets the browser choose)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = settings.STAFF_LANGUAGE
        if language and request.path_info.startswith(STAFF_PREFIXES):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
            request.fixed_language = True  # type: ignore[attr-defined]  # the header shows no switcher
        return self.get_response(request)
