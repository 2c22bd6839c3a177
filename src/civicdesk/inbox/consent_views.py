"""Staff pages of SMS consent: deciding a flagged request to stop texts on a case, and the opt-out record's export."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from civicdesk.agencies.models import Agency
from civicdesk.cases.permissions import agency_ids, supervised_agency_ids, supervises
from civicdesk.conversations.consent import set_help_text
from civicdesk.conversations.consent_export import changes, csv_lines
from civicdesk.conversations.models import HelpText, StopRequest
from civicdesk.conversations.stop_requests import decide
from civicdesk.inbox.access import actionable_case_or_403, staff_required
from civicdesk.inbox.case_views import case_context

DECISIONS = {"confirm": True, "dismiss": False}


@staff_required
@require_POST
def stop_request_decide(request: HttpRequest, number: str, pk: int, decision: str) -> HttpResponse:
    """Confirm the opt-out a text asked for, or dismiss the flag; either is audited on the case."""
    case = actionable_case_or_403(request, number)
    if decision not in DECISIONS or not StopRequest.objects.filter(pk=pk, case=case).exists():
        raise Http404("No such request on this case.")
    try:
        decide(pk, confirm=DECISIONS[decision], actor=request.user)
    except ValueError as exc:
        context = case_context(request, case)
        context["refused"] = str(exc)
        return render(request, "inbox/case_detail.html", context, status=409)
    messages.success(request, gettext("Opted out: no more texts go to this number from that sender.")
                     if DECISIONS[decision] else gettext("Dismissed: the resident's texts continue as before."))
    return redirect(reverse("inbox:case", args=[case.number]) + "#stop-requests")


def export_scope(request: HttpRequest) -> list[int] | None:
    """The agencies whose record this user may export: an administrator's are every one (None), a supervisor's
    their own; agents may not (403). ?agency=SLUG narrows it to one of them (404 outside them)."""
    allowed = supervised_agency_ids(request.user)
    if allowed == []:
        raise PermissionDenied("Only supervisors and administrators export the opt-out record.")
    slug = request.GET.get("agency", "").strip()[:100]
    if not slug:
        return allowed
    agency = Agency.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if agency is None or (allowed is not None and agency not in allowed):
        raise Http404("No such agency.")
    return [agency]


@staff_required
@require_GET
def consent_record(request: HttpRequest) -> HttpResponse:
    """The opt-out record page: how many changes there are, per agency, and the download."""
    scope = export_scope(request)
    found = Agency.objects.filter(is_active=True).order_by("name")
    allowed = supervised_agency_ids(request.user)
    agencies = list(found if allowed is None else found.filter(pk__in=allowed))
    texts = {t.agency_id: t for t in HelpText.objects.filter(agency__in=agencies)}
    helps = [(a, HelpTextForm(prefix=a.slug, instance=texts.get(a.pk))) for a in agencies]
    context: dict[str, Any] = {"nav": "consent", "agencies": agencies, "count": changes(scope).count(),
                               "agency": request.GET.get("agency", ""), "helps": helps}
    return render(request, "inbox/consent_record.html", context)


class HelpTextForm(forms.ModelForm):
    class Meta:
        model = HelpText
        fields = ["text_en", "text_es"]
        widgets = {"text_en": forms.Textarea(attrs={"rows": 3, "class": "usa-textarea", "maxlength": 320}),
                   "text_es": forms.Textarea(attrs={"rows": 3, "class": "usa-textarea", "maxlength": 320})}


@staff_required
@require_POST
def help_text_save(request: HttpRequest, slug: str) -> HttpResponse:
    """A supervisor of the agency (or an administrator) sets what HELP and AYUDA answer on its numbers."""
    agency = Agency.objects.filter(slug=slug).first()
    if agency is None:
        raise Http404("No such agency.")
    if not supervises(request.user, agency.pk):
        if agency.pk not in agency_ids(request.user):  # another agency's: not there at all
            raise Http404("No such agency.")
        raise PermissionDenied("Only a supervisor of this agency or an administrator sets its help texts.")
    form = HelpTextForm(request.POST, prefix=agency.slug)
    if not form.is_valid():
        errors = " ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        return HttpResponse(gettext("The help texts were not saved: %(errors)s") % {"errors": errors}, status=400,
                            content_type="text/plain; charset=utf-8")
    set_help_text(agency, text_en=form.cleaned_data["text_en"], text_es=form.cleaned_data["text_es"],
                  actor=request.user)
    messages.success(request, gettext("Saved the help texts of %(agency)s.") % {"agency": agency.name})
    return redirect(reverse("inbox:consent") + f"#help-{agency.slug}")


@staff_required
@require_GET
def consent_export(request: HttpRequest) -> StreamingHttpResponse:
    scope = export_scope(request)
    response = StreamingHttpResponse(csv_lines(scope), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="opt-outs-{stamp}.csv"'
    return response
