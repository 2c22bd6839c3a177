"""What the composer on a case page shows besides its fields: where a reply goes, in plain words, for each audience."""

from typing import Any

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext

from civicdesk.cases.models import Case
from civicdesk.channels import sms_segments
from civicdesk.channels.models import Channel
from civicdesk.contacts.models import Identity
from civicdesk.conversations import drafts, public_replies
from civicdesk.inbox.forms import ReplyForm


def composer_context(case: Case, form: ReplyForm, identity: Identity | None = None) -> dict[str, Any]:
    """The composer's template context: the form, the mode it shows, and a private reply's and a public update's
    destination (with `identity`, the address the agent picked; the form reports one that is not the resident's)."""
    try:
        private, public = drafts.destinations(case, identity)
    except ValueError:
        private, public = drafts.destinations(case)
    text = str(form.data.get("text") or "") if form.is_bound else ""
    return {"case": case, "composer_form": form, "private_destination": private, "public_destination": public,
            "sms": sms_counter(text, private.max_length) if private.target.channel == Channel.SMS else None,
            "follower_count": case.followers.count(),
            "composer_mode": form.initial_mode(), "max_files": drafts.MAX_FILES,
            "max_upload_mb": max(1, settings.MAX_ATTACHMENTS_BYTES // (1024 * 1024))}


def picked_identity(form: ReplyForm) -> Identity | None:
    """The resident's identity chosen in the (possibly invalid) form, for the plain-words line."""
    return form.identities.get(str(form.data.get("send_to") or "")) if form.is_bound else None


def sms_counter(text: str, max_length: int | None) -> dict[str, Any]:
    """What the SMS counter shows before any script runs (after a refused send): segments, encoding, limits."""
    counted = sms_segments.count(text.replace("\r\n", "\n"))
    limit = max_length or 1600
    return {"count": counted, "max": limit, "warn_at": sms_segments.WARN_AT_SEGMENTS,
            "too_long": counted.characters > limit,
            "long": counted.characters <= limit and counted.segments >= sms_segments.WARN_AT_SEGMENTS}


def sms_problem(case: Case, form: ReplyForm, confirmed: bool) -> str:
    """Why an SMS reply is not sent as it stands ("" when it may go): over the channel's length, or 10 segments
    and more without the agent's confirmation."""
    if form.is_note:
        return ""
    try:
        where = drafts.destination(case, public=form.is_public, identity=form.identity)
    except ValueError:  # not the resident's address: sending says so
        return ""
    if where.target.channel != Channel.SMS:
        return ""
    counter = sms_counter(form.cleaned_data["text"], where.max_length)
    counted = counter["count"]
    if counter["too_long"]:
        return gettext("This reply is %(characters)s characters long, and a text message can carry at most "
                       "%(max)s. Shorten it, or send the rest in a second reply.") % {
            "characters": number_format(counted.characters, force_grouping=True),
            "max": number_format(counter["max"], force_grouping=True)}
    if counter["long"] and not confirmed:
        return gettext("This reply goes out as %(segments)s text messages. Confirm that you want to send it that "
                       "long, or shorten it.") % {"segments": counted.segments}
    return ""


def public_problem(case: Case, form: ReplyForm) -> str:
    """Why a reply the network shows to everyone is not sent ("" when it may go): it holds personal data. The form
    then offers "continue privately" (form.offer_private) where the network has a way for it."""
    if form.is_note:  # a public update to such a case is public on the network too: checked the same way
        return ""
    try:
        target = drafts.destination(case, identity=form.identity).target
    except ValueError:  # not the resident's address: sending says so
        return ""
    if not public_replies.is_public(target):
        return ""
    found = public_replies.findings(case, form.cleaned_data["text"])
    if not found:
        return ""
    form.offer_private = target.channel in public_replies.PRIVATE_WAYS  # type: ignore[attr-defined]
    return public_replies.refusal(target, found)
