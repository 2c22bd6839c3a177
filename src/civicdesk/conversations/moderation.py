"""Moderating residents' public comments on our pages: hiding a comment on the network (Meta), audited on its case."""

import logging
import re

from django.db import transaction
from django.utils.translation import gettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.channels.credentials import CredentialsError
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.protocol import PermanentSendError, RateLimited
from civicdesk.channels.registry import AccountConfig, adapter_for_account

log = logging.getLogger(__name__)
HIDEABLE_CHANNELS = (Channel.FACEBOOK, Channel.INSTAGRAM)
# Comment ids are digits ("17865799348089039") or post_comment digits ("900_1201"); Messenger and Instagram
# message ids are not ("m_...", "aWdf...").
COMMENT_ID = re.compile(r"\d+(?:_\d+)?")


class ModerationError(Exception):
    """The network refused or could not be reached; the message says why in words staff can act on."""


def is_comment(message: Message) -> bool:
    """A resident's public comment on one of our pages (not a private message), which staff may hide."""
    return (message.direction == Direction.INBOUND and message.channel in HIDEABLE_CHANNELS
            and bool(COMMENT_ID.fullmatch(message.provider_message_id or "")) and message.deleted_by_author_at is None)


def hidden_message_ids(case: Case) -> set[int]:
    """The case's messages whose comment staff hid (one query)."""
    entries = AuditEntry.objects.filter(case=case, action=AuditAction.COMMENT_HIDDEN).values_list("after", flat=True)
    return {int(after["message"]) for after in entries if isinstance(after, dict) and after.get("message")}


def account_of(message: Message) -> ChannelAccount | None:
    """The page (or Instagram account) the comment was made on: its id leads the resident's page-scoped identity."""
    identity = message.sender_identity.value if message.sender_identity_id and message.sender_identity else ""
    owner = identity.partition(":")[0] if ":" in identity else ""
    found = ChannelAccount.objects.filter(channel=message.channel, provider=Provider.META, is_active=True)
    if owner:
        return found.filter(address=owner).first()
    return found.filter(agency_id=message.case.agency_id).first() if message.case is not None else None


def hide_comment(message: Message, *, actor: object) -> None:
    """Hide the comment on the network (its author and their friends still see it), then note it on the case."""
    if not is_comment(message):
        raise ModerationError(gettext("Only a resident's comment on one of our pages can be hidden."))
    if message.case is not None and message.pk in hidden_message_ids(message.case):
        return
    account = account_of(message)
    if account is None:
        raise ModerationError(gettext("The page this comment was made on is not connected any more, so it cannot be "
                                      "hidden from here."))
    adapter = adapter_for_account(account)
    hide = getattr(adapter, "hide_comment", None)
    if hide is None:
        raise ModerationError(gettext("This network does not let us hide comments."))
    try:
        hide(AccountConfig.of(account), message.provider_message_id)
    except (PermanentSendError, RateLimited) as exc:
        raise ModerationError(str(exc.detail if isinstance(exc, RateLimited) and exc.detail else exc)) from exc
    except CredentialsError as exc:
        raise ModerationError(gettext("The page's credentials cannot be read, so the comment was not hidden.")) from exc
    except Exception as exc:  # the network did not answer: nothing changed, the agent may try again
        log.warning("Hiding comment of message %s failed: %s", message.pk, type(exc).__name__)
        raise ModerationError(gettext("Meta could not be reached, so the comment was not hidden; try again in a "
                                      "moment.")) from exc
    with transaction.atomic():
        record(AuditAction.COMMENT_HIDDEN, case=message.case, actor=actor,
               after={"message": message.pk, "channel": message.channel})
