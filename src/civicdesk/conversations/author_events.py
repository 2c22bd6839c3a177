"""What a resident does besides writing a new message: opting out or in, editing or deleting what they wrote."""

from django.db import transaction
from django.utils import timezone

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Attachment, Case, Direction, Message
from civicdesk.channels.events import AuthorEdit, OptOut
from civicdesk.contacts.actions import set_opt_out
from civicdesk.contacts.models import Identity
from civicdesk.conversations.inbound_hooks import opted_out
from civicdesk.conversations.models import PendingMedia


def apply_opt_out(event: OptOut) -> Identity:
    """STOP (or START): kept on the sender's identity, so a later send to it can refuse; a STOP also ends every
    list the number was on (crisis alerts)."""
    identity = set_opt_out(event.sender.kind, event.sender.value, opted_out=not event.opt_in,
                           display_name=event.sender.display_name)
    if not event.opt_in:
        opted_out(identity.kind, identity.value, None)
    return identity


def apply_author_edit(event: AuthorEdit) -> Message | None:
    """The author changed or deleted a message we stored: follow them (platform rules oblige us). Returns the
    message, or None when we hold no message with that id (the caller then ignores the event).

    An edit replaces the text (marked edited, with the time); a deletion leaves a stub with no text and removes
    its files. A case description (or subject) taken from the message follows it, so the status page, Open311,
    the map and search no longer show or find the deleted words. Neither the old nor the new text goes into the
    audit entry: after a deletion, no copy of the text is kept."""
    target = (Message.objects.select_related("case")
              .filter(channel=event.channel, direction=Direction.INBOUND, provider_message_id=event.target_id[:300])
              .exclude(provider_message_id="").order_by("-created_at").first())
    if target is None:
        return None
    old_texts = {text for text in (target.visible_text, target.body_text) if text.strip()}
    now = timezone.now()
    if event.deleted:
        fields = {"body_text": "", "visible_text": "", "body_html": "", "deleted_by_author_at": now}
        action = AuditAction.MESSAGE_DELETED
        _remove_files(target)
    else:
        fields = {"body_text": event.text, "visible_text": event.text, "body_html": "", "edited_by_author_at": now}
        action = AuditAction.MESSAGE_EDITED
    Message.objects.filter(pk=target.pk).update(**fields)
    for name, value in fields.items():
        setattr(target, name, value)
    _follow_on_cases(target, old_texts, "" if event.deleted else event.text)
    record(action, case=target.case, actor_label=event.channel, after={"message": target.pk})
    return target


def _remove_files(message: Message) -> None:
    """A deleted message's files go too: the rows now, the stored files once the transaction commits."""
    names = [name for name in Attachment.objects.filter(message=message).values_list("file", flat=True) if name]
    Attachment.objects.filter(message=message).delete()
    PendingMedia.objects.filter(message=message).delete()
    storage = Attachment._meta.get_field("file").storage  # type: ignore[attr-defined]

    def remove() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove)


def _follow_on_cases(message: Message, old_texts: set[str], new_text: str) -> None:
    """The description (and a subject cut from the same words) of the case the message opened, on the case it is
    on now and the one it was written on before a merge."""
    if not old_texts:
        return
    case_ids = [pk for pk in (message.case_id, message.origin_case_id) if pk]
    for case in Case.objects.filter(pk__in=case_ids, description__in=old_texts):
        changes = {"description": new_text}
        subject = case.subject.rstrip("…").strip()
        if subject and any(text.startswith(subject) for text in old_texts):
            changes["subject"] = new_text[:len(case.subject)] if new_text else ""
        Case.objects.filter(pk=case.pk).update(**changes)
        if message.case is not None and message.case.pk == case.pk:
            for name, value in changes.items():
                setattr(message.case, name, value)
