"""What a resident does besides writing a new message: opting out or in, editing or deleting what they wrote."""

from django.utils import timezone

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Direction, Message
from civicdesk.channels.events import AuthorEdit, OptOut
from civicdesk.contacts.actions import set_opt_out
from civicdesk.contacts.models import Identity


def apply_opt_out(event: OptOut) -> Identity:
    """STOP (or START): kept on the sender's identity, so a later send to it can refuse."""
    return set_opt_out(event.sender.kind, event.sender.value, opted_out=not event.opt_in,
                       display_name=event.sender.display_name)


def apply_author_edit(event: AuthorEdit) -> Message | None:
    """The author changed or deleted a message we stored: follow them (platform rules oblige us). Returns the
    message, or None when we hold no message with that id (the caller then ignores the event).

    Neither the old nor the new text goes into the audit entry: after a deletion, no copy of the text is kept."""
    target = (Message.objects.select_related("case")
              .filter(channel=event.channel, direction=Direction.INBOUND, provider_message_id=event.target_id[:300])
              .exclude(provider_message_id="").order_by("-created_at").first())
    if target is None:
        return None
    if event.deleted:
        fields = {"body_text": "", "visible_text": "", "body_html": "", "deleted_by_author_at": timezone.now()}
        action = AuditAction.MESSAGE_DELETED
    else:
        fields = {"body_text": event.text, "visible_text": event.text, "body_html": ""}
        action = AuditAction.MESSAGE_EDITED
    Message.objects.filter(pk=target.pk).update(**fields)
    for name, value in fields.items():
        setattr(target, name, value)
    record(action, case=target.case, actor_label=event.channel, after={"message": target.pk})
    return target
