"""django-axes hooks: our lockout page (429, translatable) and a log description free of usernames and addresses."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    admin_login = request.path.startswith("/admin/")
    return render(request, "accounts/lockout.html", {"minutes": minutes, "admin_login": admin_login},
                  status=429)


def client_description(username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest) -> str:
    """What axes writes to the log for an attempt: only the sign-in page, never what was typed or who typed it."""
    return f"{{path_info: {path_info!r}}}"
