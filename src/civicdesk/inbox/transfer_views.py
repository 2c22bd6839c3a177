"""Transfers awaiting approval: the supervisors' list, and approving, rejecting or withdrawing one request."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicdesk.cases import transfers
from civicdesk.cases.models import Case, TransferRequest, TransferRequestStatus
from civicdesk.cases.permissions import may_decide
from civicdesk.cases.transfers import transfer_needs_approval
from civicdesk.cases.workload import pending_transfer_of, pending_transfers, visible_transfer_request
from civicdesk.inbox.access import staff_required
from civicdesk.inbox.forms import TRANSFER_REASON_LENGTH
from civicdesk.inbox.staff_queries import require_supervisor
from civicdesk.inbox.team_forms import RejectTransferForm

PER_PAGE_LIMIT = 200


@staff_required
@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    require_supervisor(request.user)
    pending = list(pending_transfers(request.user)[:PER_PAGE_LIMIT])
    return render(request, "inbox/transfers.html", {"nav": "transfers", "pending": pending,
                                                    "limit": PER_PAGE_LIMIT, "reject_form": RejectTransferForm()})


def transfer_request_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """For the case page: the transfer awaiting approval (if any), whether this user decides it, and whether the
    transfer form will ask for approval."""
    pending = pending_transfer_of(case)
    return {"pending_transfer": pending,
            "may_decide_transfer": pending is not None and may_decide(request.user, pending),
            "transfer_needs_approval": transfer_needs_approval(case, request.user),
            "reject_form": RejectTransferForm()}


def _request_or_404(request: HttpRequest, pk: int) -> TransferRequest:
    found = visible_transfer_request(request.user, pk)
    if found is None:
        raise Http404("No such transfer request.")
    return found


def _back(request: HttpRequest, transfer: TransferRequest) -> HttpResponse:
    if request.POST.get("back") == "case":
        return redirect("inbox:case", number=transfer.case.number)
    return redirect("inbox:transfers")


DECISIONS = ("approve", "reject", "withdraw")


def _decide(request: HttpRequest, transfer: TransferRequest, decision: str) -> str:
    """Carry out one decision on a request the user may see; PermissionDenied when it is not theirs to make."""
    if decision == "withdraw":
        if transfer.requested_by_id != request.user.pk and not may_decide(request.user, transfer):
            raise PermissionDenied("Only the person who asked, or a supervisor of the agency, withdraws a request.")
        transfers.withdraw_transfer(transfer, actor=request.user)
        return _("The transfer request is withdrawn; the case stays with %(agency)s.") % {
            "agency": transfer.from_agency.name}
    if not may_decide(request.user, transfer):
        if transfer.status != TransferRequestStatus.PENDING:
            raise ValueError(_("This transfer request was already decided."))
        raise PermissionDenied("Only a supervisor of the agency the case leaves approves or rejects its transfer.")
    values = {"number": transfer.case.number, "to": transfer.to_agency.name, "from": transfer.from_agency.name}
    if decision == "approve":
        transfers.approve_transfer(transfer, actor=request.user)
        return _("Approved: %(number)s is transferred to %(to)s.") % values
    form = RejectTransferForm(request.POST)
    if not form.is_valid():
        raise ValueError(_("Say why the transfer is rejected, in at most %(limit)d characters.")
                         % {"limit": TRANSFER_REASON_LENGTH})
    transfers.reject_transfer(transfer, actor=request.user, reason=form.cleaned_data["reason"])
    return _("Rejected: %(number)s stays with %(from)s.") % values


@staff_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject (supervisors of the agency the case leaves), or withdraw (the person who asked)."""
    transfer = _request_or_404(request, pk)
    decision = request.POST.get("decision", "")
    try:
        if decision not in DECISIONS:
            raise ValueError(_("Choose to approve, reject or withdraw the request."))
        messages.success(request, _decide(request, transfer, decision))
    except ValueError as exc:
        messages.error(request, str(exc))
    return _back(request, transfer)
