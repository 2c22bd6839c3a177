"""The triage view of social listening (staff only, scoped to the streams of the user's agencies; administrators see
every stream): the volume chart with its alerts, the alerts and their handling, the posts with filters, their map,
and the actions on a post. Another agency's alert or post is not there at all (404)."""

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.crisis.forms import IncidentForm
from civicdesk.crisis.queries import may_manage
from civicdesk.inbox.access import staff_required
from civicdesk.listening import actions, desk
from civicdesk.listening.forms import DismissForm, MergeForm, NoteForm, PostFilterForm
from civicdesk.listening.models import Alert, AlertStatus, Post
from civicdesk.listening.queries import OWN_PLATFORM, case_of_own_post, sample_posts

PER_PAGE = 25


def _alert(request: HttpRequest, pk: int) -> Alert:
    alert = desk.visible_alerts(request.user).filter(pk=pk).first()
    if alert is None:
        raise Http404("No such alert.")
    return alert


def post_or_404(request: HttpRequest, pk: int) -> Post:
    post = desk.visible_posts(request.user).select_related("stream").filter(pk=pk).first()
    if post is None:
        raise Http404("No such post.")
    return post


def back_to_page(request: HttpRequest) -> HttpResponse:
    """Back to the page the form was on (a triage page only), else the triage view."""
    target = request.POST.get("next", "")
    if target.startswith(reverse("listening:triage")) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("listening:triage")


def _filters(request: HttpRequest) -> PostFilterForm:
    data = request.GET.copy()
    if not data.get("window"):
        data["window"] = "day"  # shown selected in the form, as it is the window used
    form = PostFilterForm(data)
    if not form.is_valid():
        raise BadFilters(form)
    return form


class BadFilters(Exception):
    def __init__(self, form: PostFilterForm) -> None:
        super().__init__("bad filters")
        self.form = form


def _bad(request: HttpRequest, error: BadFilters) -> HttpResponse:
    return render(request, "listening/staff/bad_filters.html", {"form": error.form, "nav": "manage"}, status=400)


def _live_context(request: HttpRequest, ids: list[int], window: str) -> dict[str, Any]:
    found = desk.volume(ids, window)
    alerts = list(desk.visible_alerts(request.user).order_by("-raised_at")[:15])
    incidents = desk.incidents_of(alerts)
    for alert in alerts:
        alert.incident = incidents.get(alert.pk)  # type: ignore[attr-defined]
    chart = desk.chart_data(found, {"label_posts": _("Every post"), "label_relevant": _("Relevant posts"),
                                    "label_alerts": _("Alert raised"),
                                    "label_y": _("Posts per minute") if found.minutes == 1 else
                                    _("Posts per %(n)s minutes") % {"n": found.minutes}})
    return {"volume": found, "chart_json": json.dumps(chart), "alerts": alerts, "window": window,
            "open_alerts": sum(1 for a in alerts if a.status == AlertStatus.OPEN),
            "query": request.GET.urlencode()}


@staff_required
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    try:
        form = _filters(request)
    except BadFilters as error:
        return _bad(request, error)
    ids = desk.stream_ids(request.user)
    data = form.cleaned_data
    posts = desk.filter_posts(desk.visible_posts(request.user), data)
    page = Paginator(desk.post_rows(posts), PER_PAGE).get_page(data.get("page"))
    context = _live_context(request, ids, data["window"])
    context.update({"form": form, "page": page, "places": desk.places(posts), "has_streams": bool(ids),
                    "group_incidents": desk.groupable_incidents(request.user),
                    "filter_incident": desk.filtered_incident(request.user, data.get("incident")),
                    "may_declare": may_manage(request.user), "nav": "manage",
                    "map_url": f"{reverse('listening:map-data')}?{request.GET.urlencode()}",
                    "next": request.get_full_path()})
    return render(request, "listening/staff/triage.html", context)


@staff_required
@require_GET
def live(request: HttpRequest) -> HttpResponse:
    """The chart, its table and summary, and the alerts: the fragment the triage view polls every 5 seconds."""
    try:
        form = _filters(request)
    except BadFilters as error:
        return _bad(request, error)
    context = _live_context(request, desk.stream_ids(request.user), form.cleaned_data["window"])
    return render(request, "listening/staff/_live.html", context)


@staff_required
@require_GET
def map_data(request: HttpRequest) -> HttpResponse:
    """The placed posts matching the filters, as GeoJSON for the map (at most desk.MAP_POINTS)."""
    try:
        form = _filters(request)
    except BadFilters as error:
        return JsonResponse({"errors": error.form.errors.get_json_data()}, status=400)
    posts = desk.filter_posts(desk.visible_posts(request.user), form.cleaned_data)
    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                 "properties": {"id": p["pk"], "category": p["category"], "urgent": p["urgent"],
                                "place": p["place"], "text": p["text"][:200]}} for p in desk.map_points(posts)]
    return JsonResponse({"type": "FeatureCollection", "features": features})


@staff_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    return _alert_page(request, alert, DismissForm())


def _alert_page(request: HttpRequest, alert: Alert, form: DismissForm, status: int = 200,
                merge_form: MergeForm | None = None) -> HttpResponse:
    merge_form = merge_form or MergeForm(alert=alert, visible=desk.visible_alerts(request.user))
    samples = list(sample_posts(alert).filter(stream_id=alert.stream_id).select_related("case_link__case", "flag")
                   .prefetch_related("incident_links__incident"))
    return render(request, "listening/staff/alert.html", {
        "alert": alert, "incident": desk.incidents_of([alert]).get(alert.pk), "samples": samples,
        "categories": desk.category_names(alert),
        "dismiss_form": form, "may_declare": may_manage(request.user), "nav": "manage", "merge_form": merge_form,
        "may_merge": alert.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
        and merge_form.fields["into"].queryset.exists(),  # type: ignore[attr-defined]
        "next": request.get_full_path()}, status=status)


@staff_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    if alert.status == AlertStatus.OPEN:
        actions.acknowledge_alert(alert, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Acknowledged the alert."))
    return back_to_page(request)


@staff_required
@require_POST
def alert_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _alert_page(request, alert, form, status=400)
    if alert.status in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):
        actions.dismiss_alert(alert, request.user, form.cleaned_data["reason"])  # type: ignore[arg-type]
        messages.success(request, _("Dismissed the alert. The stream's settings did not change."))
    return back_to_page(request)


@staff_required
@require_POST
def alert_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """This alert is the same surge as another of its stream: it closes as merged into that one (audited)."""
    alert = _alert(request, pk)
    if alert.status not in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED):  # merged or dismissed meanwhile
        messages.info(request, _("This alert is already closed: %(status)s.") % {
            "status": alert.get_status_display()})
        return redirect("listening:alert", pk=alert.pk)
    form = MergeForm(request.POST, alert=alert, visible=desk.visible_alerts(request.user))
    if not form.is_valid():
        return _alert_page(request, alert, DismissForm(), status=400, merge_form=form)
    into = form.cleaned_data["into"]
    try:
        actions.merge_alert(alert, into, request.user, form.cleaned_data["note"])  # type: ignore[arg-type]
    except actions.AlertError as exc:
        form.add_error("into", str(exc))
        return _alert_page(request, alert, DismissForm(), status=400, merge_form=form)
    messages.success(request, _("Merged the alert into this one."))
    return redirect("listening:alert", pk=into.pk)


def _prefill(alert: Alert) -> dict[str, Any]:
    terms = ", ".join(alert.terms[:4])
    places = ", ".join(alert.area.get("places", [])[:3]) if isinstance(alert.area, dict) else ""
    title = _("Surge of posts: %(terms)s") % {"terms": terms} if terms else _("Surge of posts")
    summary = _("%(posts)s posts in a few minutes about %(terms)s%(where)s.") % {
        "posts": alert.posts, "terms": terms or _("one subject"),
        "where": (_(" around %(places)s") % {"places": places}) if places else ""}
    return {"title_en": title[:120], "summary_en": summary[:600], "agency": alert.stream.agency_id}


@staff_required
@require_http_methods(["GET", "POST"])
def alert_declare(request: HttpRequest, pk: int) -> HttpResponse:
    """Crisis mode's declare form, filled in from the alert; the incident's source names the alert."""
    alert = _alert(request, pk)
    existing = desk.incidents_of([alert]).get(alert.pk)
    if existing is not None:
        messages.info(request, _("An incident was already declared from this alert."))
        return redirect("crisis:staff-incident", slug=existing.slug)
    if not may_manage(request.user):
        raise PermissionDenied("Only supervisors and administrators declare incidents.")
    form = IncidentForm(request.POST or None, user=request.user, initial=_prefill(alert))
    context = {"form": form, "alert": alert, "nav": "manage"}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "listening/staff/declare.html", context, status=400)
        data = form.cleaned_data
        incident, created = actions.declare_from_alert(
            alert, request.user, title_en=data["title_en"], title_es=data["title_es"],
            summary_en=data["summary_en"], summary_es=data["summary_es"], areas=data["areas"],
            whole_city=data["whole_city"], agency=data["agency"])
        if created:
            messages.success(request, _("Declared “%(title)s”: its banner is on every portal page.")
                             % {"title": incident.title_en})
        return redirect("crisis:staff-incident", slug=incident.slug)
    return render(request, "listening/staff/declare.html", context)


@staff_required
@require_POST
def post_case(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    if post.platform == OWN_PLATFORM:  # a report to one of our own channels is a case already: open it
        own = case_of_own_post(post, request.user)
        if own is None:
            raise Http404("The case of this report is not one you can see.")
        return redirect("inbox:case", own.number)
    case, created = actions.make_case(post, request.user)
    if created:
        messages.success(request, _("Made case %(number)s from the post.") % {"number": case.number})
    else:
        messages.info(request, _("This post already has a case: %(number)s.") % {"number": case.number})
    return back_to_page(request)


@staff_required
@require_POST
def post_misinformation(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_or_404(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("The note is too long."), status=400)
    marked = form.cleaned_data.get("marked") != "no"
    if actions.mark_misinformation(post, request.user, marked=marked, note=form.cleaned_data["note"]):
        messages.success(request, _("Marked the post as misinformation.") if marked else
                         _("The post is no longer marked as misinformation."))
    return back_to_page(request)
