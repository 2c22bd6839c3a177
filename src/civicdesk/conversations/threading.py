"""Which case an inbound message continues: our message ids, then a case number the sender named."""

import re

from civicdesk.cases.models import Case, Message
from civicdesk.channels.events import InboundMessage

CASE_NUMBER_RE = re.compile(r"\b([A-Z]{2,5}-\d{4}-\d{6})\b")


def find_thread(message: InboundMessage) -> Case | None:
    """Step 4: the case this message continues, by our message ids, then by a case number given explicitly, in
    the subject or in the new text of the body (may be closed). A number is no credential: the pipeline joins the
    case only when the sender is entitled to (entitlement.may_thread)."""
    case = None
    if message.thread_refs:
        ref = (Message.objects.filter(email_message_id__in=message.thread_refs)
               .select_related("case").order_by("-created_at").first())
        case = ref.case if ref else None
    if case is None:
        number = (message.case_number or _case_number_in(message.subject)
                  or _case_number_in(message.visible_text or message.body_text))
        if number:
            case = Case.objects.filter(number=number).first()
    while case is not None and case.merged_into_id:
        case = Case.objects.get(pk=case.merged_into_id)
    return case


def _case_number_in(text: str) -> str:
    match = CASE_NUMBER_RE.search(text or "")
    return match.group(1) if match else ""
