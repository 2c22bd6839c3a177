"""The two-factor gate: a signed-in user who must use a code and has not given one reaches only the code pages.

It covers every page (staff pages, the Django admin, the public pages) except the code pages themselves, signing
out, the password-reset pages, static files and the token-authenticated APIs (`/api/`, `/open311/v2/`), which never
use the session. Whether the user has an authenticator is noted in the session at sign-in and on enrolment, so the
gate adds no query to the inbox's live polls.
"""

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from civicdesk.accounts.queries import must_use_two_factor

ENROLLED_KEY = "civicdesk.otp_enrolled"
OPEN_PATHS = {"/staff/otp/", "/staff/otp/setup/", "/staff/logout/", "/favicon.ico"}
OPEN_PREFIXES = ("/staff/password/reset/", "/api/", "/open311/v2/")


def remember_enrolment(session: SessionBase, enrolled: bool) -> None:
    session[ENROLLED_KEY] = enrolled


def is_open(path: str) -> bool:
    media = (settings.STATIC_URL, settings.MEDIA_URL)
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES) or path.startswith(media)


def code_page_url(request: HttpRequest, enrolled: bool) -> str:
    """The verify page (or the setup page, before enrolment), returning afterwards to the page the user wanted."""
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = current.path + (f"?{current.query}" if current.query else "") or "/staff/"
    else:
        back = request.get_full_path()
    target = reverse("accounts:otp-verify" if enrolled else "accounts:otp-setup")
    return f"{target}?{urlencode({'next': back})}"


class TwoFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not is_open(request.path) and not user.is_verified():  # type: ignore[union-attr,attr-defined]
            enrolled = bool(request.session.get(ENROLLED_KEY, False))
            if must_use_two_factor(user, enrolled=enrolled):
                url = code_page_url(request, enrolled)
                if request.headers.get("HX-Request") == "true":
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
        return self.get_response(request)
