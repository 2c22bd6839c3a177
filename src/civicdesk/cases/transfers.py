"""Every write of a transfer between agencies: at once, or asked for and approved, rejected or withdrawn."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.agencies.models import Agency
from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.actions import refuse_if_merged, touch
from civicdesk.cases.models import Case, CaseTransfer, TransferRequest, TransferRequestStatus
from civicdesk.cases.permissions import supervises


def _check_transfer(case: Case, to_agency: Agency, reason: str) -> None:
    refuse_if_merged(case)
    if not reason.strip():
        raise ValueError(gettext("A transfer needs a reason."))
    if to_agency.pk == case.agency_id:
        raise ValueError(gettext("The case already belongs to that agency."))


def _agency_names(request: TransferRequest) -> dict[str, Any]:
    return {"from_agency": request.from_agency.name, "to_agency": request.to_agency.name}


def _close_request(request: TransferRequest, status: str, *, actor: Any, reason: str = "") -> None:
    request.status, request.decided_by, request.decided_at = status, actor, timezone.now()
    request.decision_reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])


@transaction.atomic
def transfer(case: Case, *, actor: Any, to_agency: Agency, reason: str,
             request: TransferRequest | None = None) -> Case:
    """Hand the case to another agency now; with `request`, the approved request it carries out (the trail names
    who asked). A request still pending for the case is withdrawn: the case has moved on."""
    _check_transfer(case, to_agency, reason)
    from_agency = case.agency
    row = CaseTransfer.objects.create(case=case, from_agency=from_agency, to_agency=to_agency, reason=reason,
                                      by=request.requested_by if request else actor, at=timezone.now())
    if request is not None:
        request.transfer = row
        request.save(update_fields=["transfer"])
    for pending in TransferRequest.objects.select_for_update().select_related("from_agency", "to_agency").filter(
            case=case, status=TransferRequestStatus.PENDING):  # an approved request is no longer pending
        _close_request(pending, TransferRequestStatus.WITHDRAWN, actor=actor)
        record(AuditAction.TRANSFER_WITHDRAWN, case=case, actor=actor, after=_agency_names(pending),
               reason=gettext("The case was transferred to %(agency)s instead.") % {"agency": to_agency.name})
    touch(case, agency=to_agency, team=None, assignee=None)
    record(AuditAction.TRANSFERRED, case=case, actor=actor, reason=reason,
           before={"agency": from_agency.slug}, after={"agency": to_agency.slug})
    return case


def transfer_needs_approval(case: Case, actor: Any) -> bool:
    """The case's agency wants its supervisors to approve transfers out, and the actor is not one of them."""
    return bool(case.agency.transfer_approval_required) and not supervises(actor, case.agency_id)


@transaction.atomic
def transfer_or_request(case: Case, *, actor: Any, to_agency: Agency, reason: str) -> TransferRequest | None:
    """What the transfer form does: a pending request (returned) where the agency requires approval and the actor
    does not supervise it; otherwise the case is transferred now (None)."""
    if transfer_needs_approval(case, actor):
        return request_transfer(case, actor=actor, to_agency=to_agency, reason=reason)
    transfer(case, actor=actor, to_agency=to_agency, reason=reason)
    return None


@transaction.atomic
def request_transfer(case: Case, *, actor: Any, to_agency: Agency, reason: str) -> TransferRequest:
    """Ask a supervisor of the case's agency to approve a transfer; the case stays where it is meanwhile."""
    _check_transfer(case, to_agency, reason)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one request at a time per case
    pending = case.transfer_requests.filter(status=TransferRequestStatus.PENDING).select_related("to_agency").first()
    if pending is not None:
        raise ValueError(gettext("A transfer of this case to %(agency)s is already awaiting approval.")
                         % {"agency": pending.to_agency.name})
    request = TransferRequest.objects.create(case=case, from_agency=case.agency, to_agency=to_agency,
                                             reason=reason, requested_by=actor, requested_at=timezone.now())
    touch(case)
    record(AuditAction.TRANSFER_REQUESTED, case=case, actor=actor, reason=reason, after=_agency_names(request))
    return request


def _pending(request: TransferRequest) -> TransferRequest:
    """The request locked for a decision; ValueError when someone decided it already."""
    locked = (TransferRequest.objects.select_for_update(of=("self",))  # requested_by may be null: lock only this row
              .select_related("case", "case__agency", "from_agency", "to_agency", "requested_by").get(pk=request.pk))
    if locked.status != TransferRequestStatus.PENDING:
        raise ValueError(gettext("This transfer request was already decided: %(status)s.")
                         % {"status": TransferRequestStatus(locked.status).label})
    return locked


@transaction.atomic
def approve_transfer(request: TransferRequest, *, actor: Any) -> Case:
    """A supervisor approves: the case moves to the requested agency, the trail naming who asked and why."""
    request = _pending(request)
    case = request.case
    if case.agency_id != request.from_agency_id:
        raise ValueError(gettext("The case is no longer with %(agency)s.") % {"agency": request.from_agency.name})
    if not request.to_agency.is_active:
        raise ValueError(gettext("%(agency)s no longer takes cases.") % {"agency": request.to_agency.name})
    _close_request(request, TransferRequestStatus.APPROVED, actor=actor)
    asker = request.requested_by
    record(AuditAction.TRANSFER_APPROVED, case=case, actor=actor, reason=request.reason,
           after={**_agency_names(request), "requested_by": asker.pk if asker else None})
    return transfer(case, actor=actor, to_agency=request.to_agency, reason=request.reason, request=request)


@transaction.atomic
def reject_transfer(request: TransferRequest, *, actor: Any, reason: str) -> TransferRequest:
    """A supervisor rejects, saying why: the case stays with its agency, the reason on its timeline."""
    if not reason.strip():
        raise ValueError(gettext("Say why the transfer is rejected."))
    request = _pending(request)
    _close_request(request, TransferRequestStatus.REJECTED, actor=actor, reason=reason)
    touch(request.case)
    record(AuditAction.TRANSFER_REJECTED, case=request.case, actor=actor, reason=reason,
           after=_agency_names(request))
    return request


@transaction.atomic
def withdraw_transfer(request: TransferRequest, *, actor: Any) -> TransferRequest:
    """The agent who asked (or a supervisor) takes the request back."""
    request = _pending(request)
    _close_request(request, TransferRequestStatus.WITHDRAWN, actor=actor)
    touch(request.case)
    record(AuditAction.TRANSFER_WITHDRAWN, case=request.case, actor=actor, after=_agency_names(request))
    return request
