"""The case page's sidebar: status, priority, assignment, tags, service and location, each saved in place through
one action, with a confirmation that says what happened (and where routing took the case)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext

from civicdesk.cases import actions
from civicdesk.cases.models import Case, CaseStatus, Priority
from civicdesk.gis.actions import relocate_case
from civicdesk.gis.geometry import GeometryError
from civicdesk.inbox.forms import (
    AssignForm,
    LocationForm,
    PriorityForm,
    ServiceForm,
    StatusForm,
    TagsForm,
    staff_label,
)

SIDEBAR_ACTIONS = ("status", "priority", "assign", "tags", "service", "location")
NOTICE_KEY = "case_sidebar_notice"  # the confirmation, kept in the session across the redirect without JavaScript


def sidebar_forms(case: Case) -> dict[str, forms.Form]:
    """The sidebar's forms as they start, showing the case as it is."""
    return {
        "status": StatusForm(initial={"status": case.status}),
        "priority": PriorityForm(initial={"priority": case.priority}),
        "assign": AssignForm(case=case),
        "tags": TagsForm(),
        "service": ServiceForm(case=case),
        "location": LocationForm(case=case),
    }


def keep_notice(request: HttpRequest, case: Case, text: str, *, error: bool = False) -> None:
    request.session[NOTICE_KEY] = {"number": case.number, "text": text, "error": error}


def pop_notice(request: HttpRequest, case: Case) -> dict[str, Any] | None:
    """The confirmation of the last sidebar save on this case (once); None if there is none."""
    notice = request.session.get(NOTICE_KEY)
    if not notice or notice.get("number") != case.number:
        return None
    del request.session[NOTICE_KEY]
    return dict(notice)


def _status(request: HttpRequest, case: Case, form: StatusForm) -> str:
    actions.change_status(case, actor=request.user, status=form.cleaned_data["status"])
    return gettext("Saved: status %(status)s") % {"status": CaseStatus(case.status).label}


def _priority(request: HttpRequest, case: Case, form: PriorityForm) -> str:
    actions.set_priority(case, actor=request.user, priority=form.cleaned_data["priority"])
    return gettext("Saved: priority %(priority)s") % {"priority": Priority(case.priority).label}


def _assign(request: HttpRequest, case: Case, form: AssignForm) -> str:
    actions.assign(case, actor=request.user, assignee=form.cleaned_data["assignee"], team=form.cleaned_data["team"])
    return gettext("Saved: assignee %(assignee)s, team %(team)s") % {
        "assignee": staff_label(case.assignee) if case.assignee else gettext("nobody"),
        "team": case.team.name if case.team else gettext("none")}


def _tags(request: HttpRequest, case: Case, form: TagsForm) -> str:
    actions.set_tags(case, actor=request.user, names=form.names(list(case.tags.values_list("name", flat=True))))
    names = sorted(case.tags.values_list("name", flat=True))
    if not names:
        return gettext("Saved: no tags")
    return gettext("Saved: tags %(tags)s") % {"tags": ", ".join(names)}


def _service(request: HttpRequest, case: Case, form: ServiceForm) -> str:
    service = form.chosen
    actions.change_service(case, actor=request.user, service=service)
    if service is None:
        return gettext("Saved: no service. The case stays with %(agency)s.") % {"agency": case.agency.name}
    if service.agency_id != case.agency_id:
        return gettext("Saved: service %(service)s. That service belongs to %(owner)s, but the case stays with "
                       "%(agency)s: transfer it under “More actions” if %(owner)s should handle it.") % {
            "service": service.name, "owner": service.agency.name, "agency": case.agency.name}
    return gettext("Saved: service %(service)s. The case stays with %(agency)s.") % {
        "service": service.name, "agency": case.agency.name}


def _owner(case: Case) -> str:
    return f"{case.agency.name} / {case.team.name}" if case.team else case.agency.name


def _location(request: HttpRequest, case: Case, form: LocationForm) -> str:
    data = form.cleaned_data
    address = (data.get("address") or "").strip()
    if data.get("lat") is None and case.lat is not None:
        raise ValueError(gettext("Give the latitude and the longitude: the case keeps a map point once it has one."))
    if data.get("lat") is None and address == case.address:
        return gettext("Nothing to save: the address is unchanged.")
    if data.get("lat") is None:
        actions.edit_fields(case, actor=request.user, changes={"address": address[:300]},
                            reason=gettext("Address changed by staff; no map point, so routing is unchanged."))
        return gettext("Saved: address %(address)s. No map point was given, so the case was not routed again; it "
                       "stays with %(owner)s.") % {"address": address or gettext("(none)"), "owner": _owner(case)}
    before = (case.agency_id, case.team_id)
    try:
        relocate_case(case, data["lat"], data["lon"], actor=request.user, address=address)
    except GeometryError as exc:
        raise ValueError(gettext("The location was not changed: %(problem)s") % {"problem": exc}) from exc
    case.refresh_from_db()
    if (case.agency_id, case.team_id) == before:
        return gettext("Saved: location. Routing by the new location keeps the case with %(owner)s.") % {
            "owner": _owner(case)}
    return gettext("Saved: location. Routing by the new location moved the case to %(owner)s, and it is "
                   "unassigned now.") % {"owner": _owner(case)}


PERFORMERS: dict[str, Callable[[HttpRequest, Case, Any], str]] = {
    "status": _status, "priority": _priority, "assign": _assign, "tags": _tags, "service": _service,
    "location": _location,
}
FORM_FACTORIES: dict[str, Callable[[Any, Case], forms.Form]] = {
    "status": lambda data, case: StatusForm(data),
    "priority": lambda data, case: PriorityForm(data),
    "assign": lambda data, case: AssignForm(data, case=case),
    "tags": lambda data, case: TagsForm(data),
    "service": lambda data, case: ServiceForm(data, case=case),
    "location": lambda data, case: LocationForm(data, case=case),
}
