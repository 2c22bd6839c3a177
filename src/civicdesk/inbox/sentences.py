"""Every audit event as a sentence staff read on a timeline: "Status: Open → In progress", never a slug.

Each action has one describer: it gets the entry, the names its ids and slugs stand for (Names, read in a few
queries for a whole timeline) and who did it, and gives the sentence, a plain detail (the human reason) and a
technical detail (an SMTP reply, a router's trace) that the page keeps behind a disclosure.
"""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import Case
from civicdesk.channels.models import Channel
from civicdesk.inbox.chat_sentences import CHAT_DESCRIBERS
from civicdesk.inbox.consent_sentences import (
    keyword_text,
    opted_in,
    opted_out,
    stop_request_dismissed,
    stop_request_flagged,
)
from civicdesk.inbox.sla_sentences import SLA_DESCRIBERS
from civicdesk.inbox.survey_sentences import SURVEY_DESCRIBERS
from civicdesk.inbox.trail_sentences import (
    ADMINISTRATION_WORDS,
    administration,
    automatic_assignment,
    comment_hidden,
    contact_changed,
    contact_created,
    contact_merged,
    contact_unmerged,
    delivery_failed,
    follower_added,
    identity_added,
    is_automatic_assignment,
    message_deleted,
    message_edited,
)
from civicdesk.inbox.wording import (
    Names,
    Sentence,
    actor_name,
    agency_name,
    priority_label,
    quoted,
    status_label,
    team_name,
    user_name,
    with_actor,
)

CREATED_FROM: dict[str, str] = {
    Channel.WEB: gettext_noop("Created from the web portal"),
    Channel.EMAIL: gettext_noop("Created from an email"),
    Channel.SMS: gettext_noop("Created from a text message (SMS)"),
    Channel.PHONE: gettext_noop("Created from a phone call"),
    Channel.OPEN311: gettext_noop("Created from an Open311 app"),
    Channel.X: gettext_noop("Created from a post on X"),
    Channel.FACEBOOK: gettext_noop("Created from a Facebook message"),
    Channel.MASTODON: gettext_noop("Created from a Mastodon post"),
    Channel.BLUESKY: gettext_noop("Created from a Bluesky post"),
    Channel.YOUTUBE: gettext_noop("Created from a YouTube comment"),
    Channel.CHAT: gettext_noop("Created from a live chat"),
    Channel.INTERNAL: gettext_noop("Created by staff"),
}


def created(e: AuditEntry, names: Names, by: str) -> Sentence:
    channel = (e.after or {}).get("channel") or e.actor_label
    text = gettext(CREATED_FROM[channel]) if channel in CREATED_FROM else gettext("Created")
    if e.actor is not None:
        text = gettext("%(how)s, entered by %(name)s") % {"how": text, "name": by}
    return Sentence(text)


def routed(e: AuditEntry, names: Names, by: str) -> Sentence:
    after, before = e.after or {}, e.before or {}
    to = agency_name(names, after.get("agency"))
    if after.get("team"):
        to = gettext("%(agency)s / %(team)s") % {"agency": to, "team": team_name(names, after["team"])}
    router = after.get("router")
    if router == "location" and after.get("flagged"):
        text = gettext("Sent to the default queue, %(to)s, because the location was questioned") % {"to": to}
    elif router == "location" and after.get("rule_name"):
        text = gettext("Routed to %(to)s by the rule “%(rule)s”") % {"to": to, "rule": after["rule_name"]}
    elif router == "location":
        text = gettext("Routed to %(to)s by a rule for its location") % {"to": to}
    elif router == "service" and after.get("service"):
        text = gettext("Routed to %(to)s by its service, “%(service)s”") % {"to": to, "service": after.get("service")}
    elif router == "agency_hint":
        text = gettext("Routed to %(to)s because it arrived at their address") % {"to": to}
    elif router == "default":
        text = gettext("Sent to the default queue, %(to)s: no routing rule matched") % {"to": to}
    elif router == "follow_up":
        text = gettext("Routed to %(to)s, like the closed case it follows up") % {"to": to}
    else:
        text = gettext("Routed to %(to)s") % {"to": to}
    if "agency" in before:
        text += ". " + gettext("It was with %(before)s before") % {"before": agency_name(names, before["agency"])}
    return Sentence(text, technical=e.reason)


def status_changed(e: AuditEntry, names: Names, by: str) -> Sentence:
    values = {"before": status_label((e.before or {}).get("status")),
              "after": status_label((e.after or {}).get("status"))}
    if e.actor is not None:
        return Sentence(gettext("%(name)s changed the status: %(before)s → %(after)s") % {**values, "name": by},
                        detail=e.reason)
    return Sentence(gettext("Status: %(before)s → %(after)s") % values, detail=e.reason)


def assigned(e: AuditEntry, names: Names, by: str) -> Sentence:
    if is_automatic_assignment(e):
        return automatic_assignment(e, names, by)
    before, after = e.before or {}, e.after or {}
    parts = []
    old, new = before.get("assignee"), after.get("assignee")
    if new and (new != old or "team" not in after or before.get("team") == after.get("team")):
        if e.actor is not None and e.actor.pk == new:
            parts.append(gettext("%(name)s took the case") % {"name": by})
        else:
            parts.append(with_actor(by, gettext("Assigned to %(assignee)s by %(name)s"),
                               gettext("Assigned to %(assignee)s"), assignee=user_name(names, new)))
    elif old and not new:
        parts.append(with_actor(by, gettext("Unassigned by %(name)s (it was with %(before)s)"),
                           gettext("Unassigned (it was with %(before)s)"), before=user_name(names, old)))
    if before.get("team") != after.get("team") and "team" in after:
        team = gettext("Team: %(before)s → %(after)s") % {"before": team_name(names, before.get("team")),
                                                           "after": team_name(names, after.get("team"))}
        parts.append(team if parts or not by else gettext("%(name)s changed the team: %(before)s → %(after)s") % {
            "name": by, "before": team_name(names, before.get("team")),
            "after": team_name(names, after.get("team"))})
    if not parts:
        parts.append(with_actor(by, gettext("Assignment saved by %(name)s, unchanged"),
                                gettext("Assignment unchanged")))
    return Sentence(". ".join(parts), detail=e.reason)


def priority_changed(e: AuditEntry, names: Names, by: str) -> Sentence:
    values = {"before": priority_label((e.before or {}).get("priority")),
              "after": priority_label((e.after or {}).get("priority"))}
    return Sentence(with_actor(by, gettext("%(name)s changed the priority: %(before)s → %(after)s"),
                          gettext("Priority: %(before)s → %(after)s"), **values), detail=e.reason)


def tags_changed(e: AuditEntry, names: Names, by: str) -> Sentence:
    before, after = set((e.before or {}).get("tags") or []), set((e.after or {}).get("tags") or [])
    added, removed = quoted(sorted(after - before)), quoted(sorted(before - after))
    if added and removed:
        text = with_actor(by, gettext("%(name)s changed the tags: added %(added)s; removed %(removed)s"),
                     gettext("Tags changed: added %(added)s; removed %(removed)s"), added=added, removed=removed)
    elif added:
        text = with_actor(by, gettext("%(name)s tagged it %(added)s"), gettext("Tagged %(added)s"), added=added)
    elif removed:
        text = with_actor(by, gettext("%(name)s removed the tags %(removed)s"), gettext("Tags removed: %(removed)s"),
                     removed=removed)
    else:
        text = with_actor(by, gettext("%(name)s saved the tags, unchanged"), gettext("Tags unchanged"))
    return Sentence(text, detail=e.reason)


def transferred(e: AuditEntry, names: Names, by: str) -> Sentence:
    values = {"from": agency_name(names, (e.before or {}).get("agency")),
              "to": agency_name(names, (e.after or {}).get("agency")), "reason": e.reason}
    if not e.reason:
        return Sentence(with_actor(by, gettext("Transferred from %(from)s to %(to)s by %(name)s"),
                              gettext("Transferred from %(from)s to %(to)s"), **values))
    return Sentence(with_actor(by, gettext("Transferred from %(from)s to %(to)s by %(name)s: %(reason)s"),
                          gettext("Transferred from %(from)s to %(to)s: %(reason)s"), **values))


TRANSFER_REQUEST_WORDS = {  # the agencies' names are in the entry, as they were then
    AuditAction.TRANSFER_REQUESTED: (
        gettext_noop("%(name)s asked to transfer this case to %(to)s. A supervisor of %(from)s approves or "
                     "rejects the request."),
        gettext_noop("Asked to transfer this case to %(to)s. A supervisor of %(from)s approves or rejects the "
                     "request.")),
    AuditAction.TRANSFER_APPROVED: (gettext_noop("%(name)s approved the transfer to %(to)s."),
                                    gettext_noop("Approved the transfer to %(to)s.")),
    AuditAction.TRANSFER_REJECTED: (gettext_noop("%(name)s rejected the transfer to %(to)s: the case stays with "
                                                 "%(from)s."),
                                    gettext_noop("Rejected the transfer to %(to)s: the case stays with %(from)s.")),
    AuditAction.TRANSFER_WITHDRAWN: (gettext_noop("%(name)s withdrew the request to transfer this case to "
                                                  "%(to)s."),
                                     gettext_noop("The request to transfer this case to %(to)s was withdrawn.")),
}


def transfer_request(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    with_name, without_name = TRANSFER_REQUEST_WORDS[AuditAction(e.action)]
    return Sentence(with_actor(by, gettext(with_name), gettext(without_name), to=after.get("to_agency", "?"),
                               **{"from": after.get("from_agency", "?")}), detail=e.reason)


def merged(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    moved = int(after.get("messages_moved") or 0)
    values = {"number": after.get("duplicate") or gettext("another case"), "n": moved}
    if by:
        text = ngettext("%(name)s merged %(number)s into this case; %(n)s message moved here",
                        "%(name)s merged %(number)s into this case; %(n)s messages moved here", moved)
        return Sentence(text % {**values, "name": by}, detail=e.reason)
    text = ngettext("Merged in %(number)s; %(n)s message moved here",
                    "Merged in %(number)s; %(n)s messages moved here", moved)
    return Sentence(text % values, detail=e.reason)


def merged_into(e: AuditEntry, names: Names, by: str) -> Sentence:
    number = (e.after or {}).get("survivor") or gettext("another case")
    return Sentence(with_actor(by, gettext("Merged into %(number)s by %(name)s; this case is closed"),
                          gettext("Merged into %(number)s; this case is closed"), number=number), detail=e.reason)


def linked(e: AuditEntry, names: Names, by: str) -> Sentence:
    number = (e.after or {}).get("related") or gettext("another case")
    return Sentence(with_actor(by, gettext("Linked to %(number)s by %(name)s"), gettext("Linked to %(number)s"),
                          number=number), detail=e.reason)


def reopened(e: AuditEntry, names: Names, by: str) -> Sentence:
    before = status_label((e.before or {}).get("status"))
    return Sentence(with_actor(by, gettext("Reopened by %(name)s (it was %(before)s)"),
                          gettext("Reopened (it was %(before)s)"), before=before), detail=e.reason)


def _place(values: dict[str, Any]) -> str:
    if values.get("address"):
        return str(values["address"])
    if values.get("lat") is not None and values.get("lon") is not None:
        return f"{float(values['lat']):.5f}, {float(values['lon']):.5f}"
    return gettext("no location")


def location_changed(e: AuditEntry, names: Names, by: str) -> Sentence:
    values = {"after": _place(e.after or {}), "before": _place(e.before or {})}
    return Sentence(with_actor(by, gettext("%(name)s moved the location to %(after)s (it was %(before)s)"),
                          gettext("Location moved to %(after)s (it was %(before)s)"), **values), detail=e.reason)


def field_changed(e: AuditEntry, names: Names, by: str) -> Sentence:
    before, after = e.before or {}, e.after or {}
    partner = str(after.get("open311_forward") or "")
    if "photo_public" in after:
        text = with_actor(by, gettext("%(name)s approved a photo for the public page"),
                     gettext("A photo was approved for the public page")) if after["photo_public"] else with_actor(
            by, gettext("%(name)s took a photo off the public page"), gettext("A photo was taken off the public page"))
        return Sentence(text, detail=e.reason)
    if partner and after.get("remote_id") and after.get("state") == "sent":
        return Sentence(gettext("%(partner)s accepted the case as %(id)s") % {"partner": partner,
                                                                              "id": after["remote_id"]})
    if partner:
        return Sentence(with_actor(by, gettext("Forwarded to %(partner)s over Open311 by %(name)s"),
                              gettext("Forwarded to %(partner)s over Open311"), partner=partner))
    if "remote_status" in after:
        return Sentence(gettext("Status at %(partner)s: %(before)s → %(after)s") % {
            "partner": by or gettext("the partner"), "before": before.get("remote_status") or gettext("none"),
            "after": after.get("remote_status")})
    changes = "; ".join(gettext("%(field)s: %(before)s → %(after)s") % {
        "field": _field_label(key), "before": _value(key, before.get(key), names),
        "after": _value(key, after.get(key), names)} for key in sorted(after))  # PostgreSQL's jsonb reorders keys
    if not changes:
        return Sentence(with_actor(by, gettext("%(name)s edited the case"), gettext("Case edited")), detail=e.reason)
    return Sentence(with_actor(by, gettext("%(name)s edited the case: %(changes)s"),
                               gettext("Case edited: %(changes)s"), changes=changes), detail=e.reason)


def _field_label(name: str) -> str:
    try:
        return str(getattr(Case._meta.get_field(name), "verbose_name", name)).capitalize()
    except LookupError:
        return name.replace("_", " ").capitalize()


def _value(key: str, value: Any, names: Names) -> str:
    """A field's value as staff read it: labels for statuses and priorities, names for agencies, teams, staff."""
    if value in (None, "", []):
        return gettext("empty")
    readers = {"status": status_label, "priority": priority_label, "agency": lambda v: agency_name(names, v),
               "team": lambda v: team_name(names, v), "assignee": lambda v: user_name(names, v)}
    return readers[key](value) if key in readers else _short(value)


def _short(value: Any, limit: int = 80) -> str:
    if value in (None, "", []):
        return gettext("empty")
    text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def call_logged(e: AuditEntry, names: Names, by: str) -> Sentence:
    after = e.after or {}
    number = str(after.get("number") or gettext("an unknown number"))
    if after.get("direction") == "out":
        return Sentence(with_actor(by, gettext("%(name)s logged a call to %(number)s"),
                                   gettext("A call to %(number)s was logged"), number=number))
    return Sentence(with_actor(by, gettext("%(name)s logged a call from %(number)s"),
                               gettext("A call from %(number)s was logged"), number=number))


Describer = Callable[[AuditEntry, Names, str], Sentence]
DESCRIBERS: dict[str, Describer] = {
    AuditAction.CASE_CREATED: created, AuditAction.ROUTED: routed, AuditAction.STATUS_CHANGED: status_changed,
    AuditAction.ASSIGNED: assigned, AuditAction.PRIORITY_CHANGED: priority_changed,
    AuditAction.TAGS_CHANGED: tags_changed, AuditAction.TRANSFERRED: transferred, AuditAction.MERGED: merged,
    AuditAction.MERGED_INTO: merged_into, AuditAction.LINKED: linked, AuditAction.REOPENED: reopened,
    AuditAction.LOCATION_CHANGED: location_changed, AuditAction.FIELD_CHANGED: field_changed,
    AuditAction.DELIVERY_FAILED: delivery_failed, AuditAction.FOLLOWER_ADDED: follower_added,
    AuditAction.CONTACT_CREATED: contact_created, AuditAction.CONTACT_CHANGED: contact_changed,
    AuditAction.CONTACT_MERGED: contact_merged, AuditAction.CONTACT_UNMERGED: contact_unmerged,
    AuditAction.IDENTITY_ADDED: identity_added, AuditAction.OPTED_OUT: opted_out, AuditAction.OPTED_IN: opted_in,
    AuditAction.MESSAGE_EDITED: message_edited, AuditAction.MESSAGE_DELETED: message_deleted,
    AuditAction.COMMENT_HIDDEN: comment_hidden,
    AuditAction.KEYWORD_TEXT: keyword_text, AuditAction.STOP_REQUEST_FLAGGED: stop_request_flagged,
    AuditAction.STOP_REQUEST_DISMISSED: stop_request_dismissed,
    AuditAction.CALL_LOGGED: call_logged,
    **dict.fromkeys(TRANSFER_REQUEST_WORDS, transfer_request),
    **dict.fromkeys(ADMINISTRATION_WORDS, administration),
    **CHAT_DESCRIBERS,
    **SLA_DESCRIBERS,
    **SURVEY_DESCRIBERS,
}


def describe(event: AuditEntry, names: Names) -> Sentence:
    """The entry as a sentence; an action without a describer (added later) still reads as its label."""
    describer = DESCRIBERS.get(event.action)
    if describer is None:
        label = AuditAction(event.action).label if event.action in AuditAction.values else gettext("Change")
        return Sentence(str(label), detail=event.reason)
    return describer(event, names, actor_name(event))
