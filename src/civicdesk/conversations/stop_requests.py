"""Texts that read as a request to stop messages without a keyword: flagged on the case, decided by a person.

The deadline is 10 business days after the text (weekdays, US federal holidays skipped). Confirming opts the
number out of the sender it wrote to (as STOP would, but sends no confirmation text); dismissing keeps consent as
it was. Both are audited on the case.
"""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Case, Message
from civicdesk.channels.events import InboundMessage
from civicdesk.conversations.consent import account_for, set_consent
from civicdesk.conversations.models import ConsentSource, StopRequest, StopRequestStatus
from civicdesk.conversations.stop_intent import stop_request
from civicdesk.core.business_days import add_business_days

STOP_REQUEST_BUSINESS_DAYS = 10


def flag_if_asked(event: InboundMessage, message: Message) -> StopRequest | None:
    """After the message went on its case (pipeline, same transaction): flag it when it reads as a stop request."""
    if event.channel not in settings.CONSENT_KEYWORD_CHANNELS or message.case is None:
        return None
    phrase = stop_request(message.visible_text or message.body_text)
    if not phrase:
        return None
    account = account_for(event.channel, event.account_id, event.recipient)
    received = timezone.localtime(message.created_at).date()
    flagged = StopRequest.objects.create(
        case=message.case, message=message, identity_id=message.sender_identity_id, account=account,
        phrase=phrase[:200], due_on=add_business_days(received, STOP_REQUEST_BUSINESS_DAYS),
        created_at=timezone.now())
    record(AuditAction.STOP_REQUEST_FLAGGED, case=message.case, actor_label=event.channel,
           after={"request": flagged.pk, "message": message.pk, "phrase": flagged.phrase,
                  "due_on": flagged.due_on.isoformat()})
    return flagged


class AlreadyDecided(ValueError):
    pass


@transaction.atomic
def decide(request_id: int, *, confirm: bool, actor: Any) -> StopRequest:
    """A staff member confirms the opt-out (of the sender the resident wrote to) or dismisses the flag."""
    flagged = (StopRequest.objects.select_for_update(of=("self",)).select_related("case", "identity", "account")
               .get(pk=request_id))
    if flagged.status != StopRequestStatus.PENDING:
        raise AlreadyDecided(gettext("This request was already decided."))
    flagged.status = StopRequestStatus.CONFIRMED if confirm else StopRequestStatus.DISMISSED
    flagged.decided_by, flagged.decided_at = actor, timezone.now()
    flagged.save(update_fields=["status", "decided_by", "decided_at"])
    if not confirm:
        record(AuditAction.STOP_REQUEST_DISMISSED, case=flagged.case, actor=actor,
               after={"request": flagged.pk, "phrase": flagged.phrase})
        return flagged
    if flagged.identity is None or flagged.account is None:
        raise ValueError(gettext("The number or our account of this text is unknown, so no opt-out can be kept."))
    if not set_consent(flagged.identity, flagged.account, opted_out=True, source=ConsentSource.STAFF, actor=actor,
                       case=flagged.case):  # it already was: the decision is still on the record
        record(AuditAction.OPTED_OUT, case=flagged.case, contact=flagged.identity.contact, actor=actor,
               after={"identity": flagged.identity.pk, "account": flagged.account.pk,
                      "sender": flagged.account.address, "source": ConsentSource.STAFF, "already": True})
    return flagged


def pending_for(case: Case) -> list[StopRequest]:
    return list(StopRequest.objects.filter(case=case, status=StopRequestStatus.PENDING)
                .select_related("message", "account").order_by("created_at"))


def mark_pending(cases: list[Case]) -> None:
    """Set `asks_to_stop` on each listed case with a request awaiting a decision (one query for the inbox page)."""
    pending = set(StopRequest.objects.filter(case_id__in=[c.pk for c in cases], status=StopRequestStatus.PENDING)
                  .values_list("case_id", flat=True))
    for case in cases:
        case.asks_to_stop = case.pk in pending  # type: ignore[attr-defined]
