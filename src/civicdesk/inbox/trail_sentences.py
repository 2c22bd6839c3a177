"""Sentences for the rest of the trail: delivery failures in plain words, followers, contacts, residents' edits."""

from django.utils.translation import gettext, gettext_noop, ngettext

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.channels.models import Channel
from civicdesk.conversations.failures import plain_reason
from civicdesk.inbox.wording import (
    Names,
    Sentence,
    channel_label,
    user_name,
    with_actor,
)


def delivery_failed(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    partner = str(after.get("open311_forward") or "")
    attempts = int(after.get("attempts") or 0)
    technical = e.reason
    if attempts:
        technical = ngettext("%(error)s (after %(n)s attempt)", "%(error)s (after %(n)s attempts)", attempts) % {
            "error": e.reason, "n": attempts}
    if partner:
        if after.get("state") == "failed":
            return Sentence(gettext("Forwarding to %(partner)s failed; it will not be tried again") % {
                "partner": partner}, technical=technical)
        return Sentence(gettext("Forwarding to %(partner)s failed; it will be tried again") % {"partner": partner},
                        technical=technical)
    channel, recipient = names.messages.get(after.get("message") or 0, (after.get("channel", ""), ""))
    return Sentence(failure_sentence(channel, recipient, e.reason), technical=technical)


def failure_sentence(channel: str, recipient: str, error: str) -> str:
    """"The email to rosa@example.com could not be delivered: the mailbox does not exist"."""
    why = plain_reason(error)
    if channel == Channel.EMAIL and recipient:
        return gettext("The email to %(to)s could not be delivered: %(why)s") % {"to": recipient, "why": why}
    if channel == Channel.SMS and recipient:
        return gettext("The SMS to %(to)s could not be delivered: %(why)s") % {"to": recipient, "why": why}
    if recipient:
        return gettext("The %(channel)s message to %(to)s could not be delivered: %(why)s") % {
            "channel": channel_label(channel), "to": recipient, "why": why}
    if channel:
        return gettext("A reply by %(channel)s could not be delivered: %(why)s") % {"channel": channel_label(channel),
                                                                                     "why": why}
    return gettext("A reply could not be delivered: %(why)s") % {"why": why}


def follower_added(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(gettext("Another resident reported the same problem and now follows this case"))


def contact_created(e: AuditEntry, names: Names, by: str) -> Sentence:
    name = (e.after or {}).get("display_name")
    text = gettext("Contact created for %(contact)s") % {"contact": name} if name else gettext("Contact created")
    return Sentence(text if not by else gettext("%(name)s created the contact") % {"name": by})


def contact_changed(e: AuditEntry, names: Names, by: str) -> Sentence:
    fields = ", ".join(key.replace("_", " ") for key in (e.after or e.before or {}))
    return Sentence(with_actor(by, gettext("%(name)s changed the contact's details: %(fields)s"),
                          gettext("Contact details changed: %(fields)s"), fields=fields or gettext("none")),
                    detail=e.reason)


def contact_merged(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(with_actor(by, gettext("%(name)s merged two contact records into one"),
                          gettext("Two contact records were merged into one")))


def contact_unmerged(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(with_actor(by, gettext("%(name)s undid a merge of two contact records"),
                          gettext("A merge of two contact records was undone")))


IDENTITY_WORDS = {"email": gettext_noop("An email address"), "phone": gettext_noop("A phone number")}


def identity_added(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    kind = str(after.get("kind", ""))
    what = gettext(IDENTITY_WORDS[kind]) if kind in IDENTITY_WORDS else gettext("An account")
    if not after.get("value"):
        return Sentence(gettext("%(what)s was added to the contact") % {"what": what})
    return Sentence(gettext("%(what)s was added to the contact: %(value)s") % {"what": what, "value": after["value"]})


def opted_out(e: AuditEntry, names: Names, by: str) -> Sentence:
    channel = channel_label(e.actor_label) or gettext("this channel")
    return Sentence(gettext("The resident asked for no more messages by %(channel)s") % {"channel": channel})


def opted_in(e: AuditEntry, names: Names, by: str) -> Sentence:
    channel = channel_label(e.actor_label) or gettext("this channel")
    return Sentence(gettext("The resident asked for messages by %(channel)s again") % {"channel": channel})


def message_edited(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(gettext("The resident edited their message on %(channel)s") % {
        "channel": channel_label(e.actor_label) or gettext("the platform")})


def comment_hidden(e: AuditEntry, names: Names, by: str) -> Sentence:
    channel = channel_label((e.after or {}).get("channel")) or gettext("the platform")
    return Sentence(with_actor(by, gettext("%(name)s hid the resident's comment on %(channel)s"),
                               gettext("The resident's comment was hidden on %(channel)s"), channel=channel),
                    detail=e.reason)


def message_deleted(e: AuditEntry, names: Names, by: str) -> Sentence:
    return Sentence(gettext("The resident deleted their message on %(channel)s; its text is gone here too") % {
        "channel": channel_label(e.actor_label) or gettext("the platform")})



ASSIGNMENT_RULES = {"round_robin": gettext_noop("round robin"), "least_open": gettext_noop("least open cases first")}


def is_automatic_assignment(e: AuditEntry) -> bool:
    after = e.after or {}
    return e.actor_id is None and ("mode" in after or "returned" in after)


def automatic_assignment(e: AuditEntry, names: Names, by: str) -> Sentence:
    """"Assigned to Ana Ruiz by round robin: 3 of 8 open cases, available" (the load when she was chosen), or
    "Returned to the queue: Ana Ruiz is away and had not answered yet"."""
    before, after = e.before or {}, e.after or {}
    if "returned" in after:
        return Sentence(gettext("Returned to the queue: %(name)s is away and had not answered yet") % {
            "name": user_name(names, before.get("assignee"))}, detail=e.reason)
    mode = str(after.get("mode"))
    values = {"assignee": user_name(names, after.get("assignee")),
              "rule": gettext(ASSIGNMENT_RULES[mode]) if mode in ASSIGNMENT_RULES else mode,
              "open": after.get("open", 0), "capacity": after.get("capacity", 0)}
    if mode == "least_open" and int(after.get("available") or 0) > 1:
        text = ngettext("Assigned to %(assignee)s by %(rule)s: %(open)s of %(capacity)s open cases, the fewest of "
                        "%(n)s available agent", "Assigned to %(assignee)s by %(rule)s: %(open)s of %(capacity)s "
                        "open cases, the fewest of %(n)s available agents", int(after["available"]))
        return Sentence(text % {**values, "n": after["available"]}, detail=e.reason)
    return Sentence(gettext("Assigned to %(assignee)s by %(rule)s: %(open)s of %(capacity)s open cases, "
                            "available") % values, detail=e.reason)


ADMINISTRATION_WORDS = {  # staff, teams, agencies and initiatives: entries that are not about one case
    AuditAction.STAFF_CREATED: (gettext_noop("%(name)s created a staff account"),
                                gettext_noop("A staff account was created")),
    AuditAction.STAFF_CHANGED: (gettext_noop("%(name)s changed a staff account"),
                                gettext_noop("A staff account was changed")),
    AuditAction.STAFF_AWAY_CHANGED: (gettext_noop("%(name)s changed a staff member's away status"),
                                     gettext_noop("A staff member's away status changed")),
    AuditAction.TEAM_MEMBERS_CHANGED: (gettext_noop("%(name)s changed a team's members"),
                                       gettext_noop("A team's members changed")),
    AuditAction.PASSWORD_LINK_SENT: (gettext_noop("%(name)s sent a link to set a password"),
                                     gettext_noop("A link to set a password was sent")),
    AuditAction.AGENCY_CHANGED: (gettext_noop("%(name)s changed an agency's settings"),
                                 gettext_noop("An agency's settings changed")),
    AuditAction.INITIATIVE_CREATED: (gettext_noop("%(name)s created an initiative"),
                                     gettext_noop("An initiative was created")),
    AuditAction.INITIATIVE_CHANGED: (gettext_noop("%(name)s changed an initiative"),
                                     gettext_noop("An initiative was changed")),
}


def administration(e: AuditEntry, names: Names, by: str) -> Sentence:
    with_name, without_name = ADMINISTRATION_WORDS[AuditAction(e.action)]
    return Sentence(with_actor(by, gettext(with_name), gettext(without_name)), detail=e.reason)
