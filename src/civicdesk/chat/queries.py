"""Reads of live chat: the queue with waiting times and positions, agents' availability, a session's events."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from civicdesk.agencies.models import Agency, StaffProfile
from civicdesk.cases.permissions import agency_ids, is_admin
from civicdesk.chat.models import AgentAvailability, ChatEvent, ChatSession, ChatStatus, EventKind


@dataclass(frozen=True)
class Waiting:
    """One chat in the queue, as the desk lists it."""

    session: ChatSession
    position: int  # 1 = next in its agency's queue
    waited: timedelta


def available_seconds() -> int:
    """An accepting agent counts as available while their desk page checked in this recently."""
    return int(settings.CHAT_AGENT_GONE_SECONDS)


def scope_agency_ids(agent: Any) -> list[int] | None:
    """The agencies whose chats an agent may take: None means every agency (administrators)."""
    return None if is_admin(agent) else agency_ids(agent)


def waiting_sessions(agent: Any, *, now: datetime | None = None) -> list[Waiting]:
    """The waiting chats the agent may take, oldest first, with their place in their agency's queue and how long
    they have waited. One query (positions are counted here, per agency, from the same rows)."""
    now = now or timezone.now()
    scope = scope_agency_ids(agent)
    rows = ChatSession.objects.filter(status=ChatStatus.WAITING).select_related("agency", "service", "case")
    if scope is not None:
        rows = rows.filter(agency_id__in=scope)
    found: list[Waiting] = []
    per_agency: dict[int, int] = {}
    for session in rows.order_by("created_at", "pk"):
        per_agency[session.agency_id] = per_agency.get(session.agency_id, 0) + 1
        found.append(Waiting(session, per_agency[session.agency_id], now - session.created_at))
    return found


def active_sessions(agent: Any) -> list[ChatSession]:
    """The agent's own chats in progress (an agent may hold several), oldest first."""
    return list(ChatSession.objects.filter(agent=agent, status=ChatStatus.ACTIVE)
                .select_related("agency", "service", "case").order_by("accepted_at", "pk"))


def may_handle(agent: Any, session: ChatSession) -> bool:
    """Whether the agent may see and take this session (its agency is one of theirs, or they are an admin)."""
    scope = scope_agency_ids(agent)
    return scope is None or session.agency_id in scope


def queue_position(session: ChatSession) -> int | None:
    """The resident's place in the queue (1 = next), or None when the session is not waiting."""
    if session.status != ChatStatus.WAITING:
        return None
    ahead = ChatSession.objects.filter(agency_id=session.agency_id, status=ChatStatus.WAITING).filter(
        Q(created_at__lt=session.created_at) | Q(created_at=session.created_at, pk__lt=session.pk)).count()
    return ahead + 1


def queue_positions(agency_ids: list[int]) -> dict[int, int]:
    """The place of every waiting session of these agencies, by session id (the live transport's one query)."""
    positions: dict[int, int] = {}
    per_agency: dict[int, int] = {}
    rows = (ChatSession.objects.filter(status=ChatStatus.WAITING, agency_id__in=agency_ids)
            .order_by("created_at", "pk").values_list("pk", "agency_id"))
    for pk, agency_id in rows:
        per_agency[agency_id] = per_agency.get(agency_id, 0) + 1
        positions[pk] = per_agency[agency_id]
    return positions


def available_agents(agency_id: int, *, now: datetime | None = None) -> int:
    """How many staff of the agency take chats now: switched on, desk page seen lately, and
    below their own limit of chats at once. 0 means the widget offers to leave a message instead."""
    now = now or timezone.now()
    members = StaffProfile.objects.filter(agencies=agency_id).values("user_id")
    accepting = (AgentAvailability.objects.filter(accepting=True, seen_at__gte=now - timedelta(
        seconds=available_seconds()), user__is_active=True, user_id__in=members)
        .annotate(live=Count("user__chat_sessions", filter=Q(user__chat_sessions__status=ChatStatus.ACTIVE))))
    return sum(1 for row in accepting if row.live < row.max_chats)


def agency_is_staffed(agency_id: int) -> bool:
    """Whether anyone of the agency takes chats now (even if all are busy: then the resident waits in the queue)."""
    since = timezone.now() - timedelta(seconds=available_seconds())
    members = StaffProfile.objects.filter(agencies=agency_id).values("user_id")
    return AgentAvailability.objects.filter(accepting=True, seen_at__gte=since, user__is_active=True,
                                            user_id__in=members).exists()


def availability(agent: Any) -> AgentAvailability | None:
    return AgentAvailability.objects.filter(user=agent).first()


def events_after(session: ChatSession, after: int, *, limit: int = 200) -> list[ChatEvent]:
    """The session's events with seq > after, in order, with their messages (the polling fallback and replays)."""
    return list(ChatEvent.objects.filter(session=session, seq__gt=max(0, after)).select_related("message")
                .order_by("seq")[:limit])


def transcript(session: ChatSession) -> list[ChatEvent]:
    """Every message event of the session, in order (the resident's page after a reload)."""
    return list(ChatEvent.objects.filter(session=session, kind=EventKind.MESSAGE).select_related("message")
                .order_by("seq"))


def staffed_agency_ids(*, now: datetime | None = None) -> set[int]:
    """The agencies with someone taking chats now (one query for the widget's list of agencies)."""
    since = (now or timezone.now()) - timedelta(seconds=available_seconds())
    users = AgentAvailability.objects.filter(accepting=True, seen_at__gte=since, user__is_active=True).values("user_id")
    return set(StaffProfile.agencies.through.objects.filter(staffprofile__user_id__in=users)
               .values_list("agency_id", flat=True))


def chat_agencies() -> list[tuple[Agency, bool]]:
    """The agencies a resident may chat with, by name, each with whether someone takes chats there now."""
    staffed = staffed_agency_ids()
    return [(agency, agency.pk in staffed) for agency in Agency.objects.filter(is_active=True).order_by("name")]
