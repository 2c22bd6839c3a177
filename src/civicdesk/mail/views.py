"""Staff pages of the built-in outbox: the email kept instead of sent (no EMAIL_HOST), newest first, and each one."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicdesk.cases.permissions import visible_cases
from civicdesk.inbox.access import staff_required
from civicdesk.mail import queries
from civicdesk.mail.models import CapturedEmail

PER_PAGE = 50


def _readable(request: HttpRequest) -> QuerySet[CapturedEmail]:
    if not queries.may_read_outbox(request.user):
        raise PermissionDenied("Only administrators and supervisors read the outbox.")
    return queries.readable_outbox(request.user)


@staff_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    mail = _readable(request).defer("raw", "text")
    case_number = request.GET.get("case", "").strip().upper()[:40]
    if case_number:
        mail = mail.filter(case__number=case_number)
    page = Paginator(mail, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "mail/outbox.html", {
        "page": page, "case_number": case_number, "capturing": queries.outbox_in_use(), "nav": "outbox"})


@staff_required
@require_GET
def captured_email(request: HttpRequest, pk: int) -> HttpResponse:
    """One captured email; 404 when this user may not read it (an agent's 403 would say that it exists)."""
    mail = queries.readable_outbox(request.user).filter(pk=pk).first()
    if mail is None:
        raise Http404("No such email in the outbox.")
    case_visible = bool(mail.case_id and visible_cases(request.user).filter(pk=mail.case_id).exists())
    return render(request, "mail/captured_email.html", {
        "mail": mail, "case_visible": case_visible, "capturing": queries.outbox_in_use(), "nav": "outbox"})
