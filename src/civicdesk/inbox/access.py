"""Who may use the staff pages: signed-in users with a staff profile (or superusers), and case lookups by scope."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from civicdesk.cases.models import Case
from civicdesk.cases.permissions import can_act, staff_profile, visible_cases

View = Callable[..., HttpResponseBase]


def is_staff_member(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False) or staff_profile(user) is not None)


def staff_required(view: View) -> View:
    """Sign-in and a staff profile for every staff page; HTMX polls get a redirect header instead of a page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            if getattr(request, "htmx", False):
                current = urlsplit(request.headers.get("HX-Current-URL", ""))
                back = current.path + (f"?{current.query}" if current.query else "") or reverse("inbox:inbox")
                response = HttpResponse(status=204)
                response["HX-Redirect"] = f"{reverse('inbox:login')}?{urlencode({'next': back})}"
                return response
            return redirect_to_login(request.get_full_path(), reverse("inbox:login"))
        if not is_staff_member(request.user):
            return render(request, "inbox/no_profile.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def visible_case_or_404(request: HttpRequest, number: str) -> Case:
    """The case if this user may see it (own agencies, transferred-from trail, assigned); 404 otherwise."""
    case = (visible_cases(request.user).select_related("agency", "team", "assignee", "service", "contact",
                                                      "merged_into")
            .filter(number=number.upper()).first())
    if case is None:
        raise Http404("No such case.")
    return case


def actionable_case_or_403(request: HttpRequest, number: str) -> Case:
    """For POSTs: 404 if the case is not visible at all, 403 if visible but not the user's to change."""
    case = visible_case_or_404(request, number)
    if not can_act(request.user, case):
        raise PermissionDenied("This case belongs to another agency.")
    return case
