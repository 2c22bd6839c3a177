"""Demo cases with past timelines, built in memory and bulk-inserted in the shape the real actions leave them."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from civicdesk.agencies.models import Agency, Service, Team
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases.models import (
    Case,
    CaseCounter,
    CaseStatus,
    CaseTransfer,
    DeliveryStatus,
    Direction,
    Message,
    Priority,
    Tag,
)
from civicdesk.cases.numbering import format_case_number
from civicdesk.channels.models import Channel
from civicdesk.demo import data
from civicdesk.demo.people import ContactPool

BATCH = 1000
EMAIL_REPLY_CHANNELS = {Channel.WEB, Channel.OPEN311, Channel.PHONE, Channel.EMAIL}
SHORT_TEXT_CHANNELS = {Channel.SMS, Channel.X, Channel.MASTODON}  # people rarely give a location there
# How far along the path new -> open -> in progress -> resolved -> closed a case got, by age in days.
FINAL_STATUS_WEIGHTS = [
    (1, {CaseStatus.NEW: 50, CaseStatus.OPEN: 30, CaseStatus.IN_PROGRESS: 20}),
    (7, {CaseStatus.NEW: 10, CaseStatus.OPEN: 25, CaseStatus.IN_PROGRESS: 25, CaseStatus.WAITING: 10,
         CaseStatus.RESOLVED: 20, CaseStatus.CLOSED: 10}),
    (10_000, {CaseStatus.NEW: 2, CaseStatus.OPEN: 8, CaseStatus.IN_PROGRESS: 10, CaseStatus.WAITING: 5,
              CaseStatus.RESOLVED: 25, CaseStatus.CLOSED: 50}),
]
STATUS_RANK: dict[str, int] = {CaseStatus.NEW: 0, CaseStatus.OPEN: 1, CaseStatus.IN_PROGRESS: 2, CaseStatus.WAITING: 3,
               CaseStatus.RESOLVED: 4, CaseStatus.CLOSED: 5}


@dataclass
class CaseCounts:
    cases: int = 0
    contacts: int = 0
    messages: int = 0
    audit_entries: int = 0
    transfers: int = 0


class Timeline:
    """One case being written: a clock that only moves forward and stays in the past, and its rows."""

    def __init__(self, builder: "CaseBuilder", case: Case, now: datetime) -> None:
        self.b, self.case, self.now, self.at = builder, case, now, case.created_at

    def advance(self, low_hours: float, high_hours: float) -> datetime:
        step = timedelta(hours=self.b.rng.uniform(low_hours, high_hours))
        if self.at + step >= self.now:
            step = (self.now - self.at) * self.b.rng.uniform(0.05, 0.5)
        self.at += step
        self.case.updated_at = self.at
        return self.at

    def audit(self, action: str, *, actor: User | None = None, label: str = "", before: Any = None,
              after: Any = None, reason: str = "") -> None:
        self.b.audit.append(AuditEntry(at=self.at, actor=actor, actor_label=label or ("" if actor else "system"),
                                       action=action, case=self.case, before=before or {}, after=after or {},
                                       reason=reason))

    def message(self, direction: str, channel: str, text: str, **fields: Any) -> Message:
        message = Message(case=self.case, direction=direction, channel=channel, body_text=text, visible_text=text,
                          created_at=self.at, **fields)
        self.b.messages.append(message)
        return message

    def inbound(self, text: str, number: int) -> None:
        case = self.case
        message_id = f"<demo.{case.number.lower()}.{number}@mail.example.com>" if case.channel == Channel.EMAIL else ""
        self.message(Direction.INBOUND, case.channel, text, is_public=False, contact=case.contact,
                     subject=case.subject if number == 1 else f"Re: [{case.number}] {case.subject}",
                     provider_message_id=message_id or f"demo-{case.number}-{number}", email_message_id=message_id,
                     delivery_status=DeliveryStatus.RECEIVED)

    def outbound(self, text: str, author: User | None, *, public: bool = False) -> None:
        """A reply to the resident, or (public=True) a public update, as conversations.replies.reply leaves them."""
        case = self.case
        email = self.b.people.email_of(case.contact)
        channel = case.channel
        if channel in EMAIL_REPLY_CHANNELS:
            channel = Channel.EMAIL if email else Channel.WEB
        failed = channel == Channel.SMS and self.b.rng.random() < 0.03
        status = DeliveryStatus.PUBLISHED if channel == Channel.WEB else DeliveryStatus.SENT
        self.message(Direction.OUTBOUND, channel, text, is_public=public, is_automatic=author is None, author=author,
                     contact=case.contact, subject=f"[{case.number}] {case.subject or 'Your request'}",
                     recipient=email if channel == Channel.EMAIL else "",
                     email_message_id=make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)
                     if channel == Channel.EMAIL else "",
                     delivery_status=DeliveryStatus.FAILED if failed else status,
                     attempts=settings.OUTBOUND_MAX_ATTEMPTS if failed else 1,
                     last_error="PermanentSendError: the gateway rejected the number" if failed else "")
        if failed:
            self.audit(AuditAction.DELIVERY_FAILED, after={"channel": channel,
                                                           "attempts": settings.OUTBOUND_MAX_ATTEMPTS},
                       reason="PermanentSendError: the gateway rejected the number")
        if author is not None and case.first_response_at is None:
            case.first_response_at = self.at
        if author is not None and case.status == CaseStatus.NEW:
            case.status = CaseStatus.OPEN  # reply() opens a new case without a status entry

    def set_status(self, status: str, actor: User) -> None:
        case = self.case
        self.audit(AuditAction.STATUS_CHANGED, actor=actor, before={"status": case.status}, after={"status": status})
        case.status = status
        if status == CaseStatus.RESOLVED:
            case.resolved_at = self.at
        elif status == CaseStatus.CLOSED:
            case.closed_at = self.at
            case.resolved_at = case.resolved_at or self.at
        else:
            case.resolved_at = case.closed_at = None


class CaseBuilder:
    """Writes `count` cases spread over the last DEMO_DAYS days, each with a realistic history."""

    def __init__(self, agencies: dict[str, Agency], services: list[Service], users: dict[str, User], *,
                 seed: int) -> None:
        self.rng = random.Random(seed)
        self.agencies, self.services, self.users = agencies, services, users
        self.texts = {s["code"]: s for s in data.SERVICES}
        self.staff_by_agency: dict[int, list[User]] = {a.pk: [] for a in agencies.values()}
        for username, _first, _last, _role, slugs, _teams in data.STAFF:
            for slug in slugs:
                self.staff_by_agency[agencies[slug].pk].append(users[username])
        self.teams: dict[int, list[Team]] = {a.pk: list(a.teams.all()) for a in agencies.values()}
        self.tags = {name: Tag.objects.get_or_create(name=name)[0] for name in data.TAGS}
        self.people = ContactPool(self.rng)
        self.messages: list[Message] = []
        self.audit: list[AuditEntry] = []
        self.transfers: list[CaseTransfer] = []
        self.case_tags: list[tuple[Case, Tag]] = []

    def build(self, count: int) -> CaseCounts:
        now = timezone.now()
        span = data.DEMO_DAYS * 86400
        created = sorted(now - timedelta(seconds=self.rng.uniform(300, span)) for _ in range(count))
        numbers = self._numbers(created)
        channels, weights = zip(*data.CHANNEL_WEIGHTS.items(), strict=True)
        cases = []
        for at, number in zip(created, numbers, strict=True):
            channel = self.rng.choices(channels, weights)[0]
            service = self.rng.choice(self.services)
            cases.append(self._case(now, at, number, channel, service))
        self.people.save()
        Case.objects.bulk_create(cases, batch_size=BATCH)
        Message.objects.bulk_create(self.messages, batch_size=BATCH)
        AuditEntry.objects.bulk_create(self.audit + self.people.audit, batch_size=BATCH)
        CaseTransfer.objects.bulk_create(self.transfers, batch_size=BATCH)
        Case.tags.through.objects.bulk_create(
            [Case.tags.through(case_id=c.pk, tag_id=t.pk) for c, t in self.case_tags], batch_size=BATCH)
        return CaseCounts(cases=len(cases), contacts=len(self.people.contacts), messages=len(self.messages),
                          audit_entries=len(self.audit) + len(self.people.audit), transfers=len(self.transfers))

    def _numbers(self, created: list[datetime]) -> list[str]:
        """Case numbers in creation order, per local year, continuing each year's counter."""
        numbers, last = [], {}
        for at in created:
            year = timezone.localdate(at).year
            if year not in last:
                counter = CaseCounter.objects.filter(year=year).first()
                last[year] = counter.last if counter else 0
            last[year] += 1
            numbers.append(format_case_number(year, last[year]))
        for year, sequence in last.items():
            CaseCounter.objects.update_or_create(year=year, defaults={"last": sequence})
        return numbers

    def _case(self, now: datetime, at: datetime, number: str, channel: str, service: Service) -> Case:
        rng = self.rng
        subject, text = rng.choice(self.texts[service.code]["texts"])
        located = service.asks_location and (channel not in SHORT_TEXT_CHANNELS or rng.random() < 0.4)
        lat, lon = data.CITY_CENTER
        case = Case(
            number=number, channel=channel, status=CaseStatus.NEW, priority=Priority.NORMAL, agency=service.agency,
            team=service.default_team, service=service, contact=self.people.contact_for(channel, at),
            subject=subject, description=text, attributes=self._attributes(service, at),
            address=f"{rng.randint(1, 2400)} {rng.choice(data.STREETS)}" if located else "",
            lat=round(lat + rng.uniform(-data.CITY_SPREAD, data.CITY_SPREAD), 6) if located else None,
            lon=round(lon + rng.uniform(-data.CITY_SPREAD, data.CITY_SPREAD), 6) if located else None,
            source_app="Riverbend 311 app" if channel == Channel.OPEN311 else "", created_at=at, updated_at=at,
        )
        self._history(Timeline(self, case, now), self._final_status(now - at))
        return case

    def _attributes(self, service: Service, at: datetime) -> dict[str, Any]:
        answers: dict[str, Any] = {}
        for spec in self.texts[service.code]["attributes"]:
            keys = [v["key"] for v in spec["values"]]
            if not spec["variable"] or (not spec["required"] and self.rng.random() < 0.3):
                continue
            kind = spec["datatype"]
            if kind == "singlevaluelist":
                answers[spec["code"]] = self.rng.choice(keys)
            elif kind == "multivaluelist":
                answers[spec["code"]] = sorted(self.rng.sample(keys, self.rng.randint(1, len(keys))))
            elif kind == "number":
                answers[spec["code"]] = str(self.rng.randint(1, 12))
            elif kind == "datetime":
                answers[spec["code"]] = (at - timedelta(hours=self.rng.randint(2, 72))).isoformat(timespec="minutes")
            elif spec["code"] == "plate":
                answers["plate"] = f"RB{self.rng.randint(1000, 9999)}"
            else:
                answers[spec["code"]] = self.rng.choice(["Near the corner", "Blue", "Unit 4B", "Riverside Park",
                                                         "Two chairs and a couch", "Raccoon"])
        return answers

    def _final_status(self, age: timedelta) -> str:
        for max_days, weights in FINAL_STATUS_WEIGHTS:
            if age.days < max_days:
                return self.rng.choices(list(weights), list(weights.values()))[0]
        return CaseStatus.CLOSED

    def _history(self, t: Timeline, final: str) -> None:
        """What create_case, acknowledge, assign, reply, add_note, transfer and change_status would have left."""
        rng, case = self.rng, t.case
        t.audit(AuditAction.CASE_CREATED, label=case.channel,
                after={"number": case.number, "agency": case.agency.slug, "channel": case.channel})
        service_name = case.service.name if case.service else ""
        t.audit(AuditAction.ROUTED, label="router", reason=f"Service '{service_name}' is owned by {case.agency.name}",
                after={"agency": case.agency.slug, "team": case.team_id, "router": "service", "service": service_name})
        t.inbound(case.description, 1)
        if self.people.email_of(case.contact):
            t.advance(0.0005, 0.002)
            t.outbound(f"Thank you. We received your request and gave it the number {case.number}.", None)
        if final == CaseStatus.NEW:
            return
        if rng.random() < 0.06:
            self._transfer(t)
        staff = self.staff_by_agency[case.agency.pk]
        agent = staff[-1]
        if rng.random() < 0.75:
            t.advance(0.2, 12)
            before = {"assignee": case.assignee_id, "team": case.team_id}
            case.assignee, case.team = agent, case.team or self.teams[case.agency.pk][0]
            if case.status == CaseStatus.NEW:
                case.status = CaseStatus.OPEN  # assign() opens a new case without a status entry
            t.audit(AuditAction.ASSIGNED, actor=staff[0], before=before,
                    after={"assignee": agent.pk, "team": case.team.pk})
        if rng.random() < 0.85:
            t.advance(0.5, 30)
            text = rng.choice(data.REPLIES[:4])
            t.outbound(text, agent, public=text in data.PUBLIC_REPLIES)
        if case.status == CaseStatus.NEW:
            t.advance(0.1, 4)
            t.set_status(CaseStatus.OPEN, agent)
        self._extras(t, agent)
        for status in (CaseStatus.IN_PROGRESS, CaseStatus.WAITING, CaseStatus.RESOLVED, CaseStatus.CLOSED):
            if STATUS_RANK[status] > STATUS_RANK[final] or (status == CaseStatus.WAITING and final != status):
                continue
            t.advance(2, 96)
            if status == CaseStatus.RESOLVED:
                t.outbound(data.REPLIES[-1], agent, public=True)
            t.set_status(status, agent)

    def _extras(self, t: Timeline, agent: User) -> None:
        rng, case = self.rng, t.case
        if rng.random() < 0.4:
            t.advance(0.5, 24)
            t.message(Direction.NOTE, Channel.INTERNAL, rng.choice(data.NOTES), author=agent)
        if rng.random() < 0.2:
            t.advance(1, 48)
            text = rng.choice(data.FOLLOW_UPS)
            signature = case.contact.display_name if case.contact else ""
            t.inbound(f"{text}\n\n{signature}" if signature else text, 2)  # residents sign their mail: private
        if rng.random() < 0.15:
            t.advance(0.1, 6)
            priority = rng.choice([Priority.LOW, Priority.HIGH, Priority.URGENT])
            t.audit(AuditAction.PRIORITY_CHANGED, actor=agent, before={"priority": case.priority},
                    after={"priority": priority})
            case.priority = priority
        if rng.random() < 0.12:
            t.advance(0.1, 6)
            names = sorted(rng.sample(data.TAGS, rng.randint(1, 2)))
            self.case_tags += [(case, self.tags[n]) for n in names]
            t.audit(AuditAction.TAGS_CHANGED, actor=agent, before={"tags": []}, after={"tags": names})

    def _transfer(self, t: Timeline) -> None:
        case = t.case
        target = self.rng.choice([a for a in self.agencies.values() if a.pk != case.agency.pk and a.slug != "311"])
        actor = self.staff_by_agency[case.agency.pk][0]
        reason = self.rng.choice(data.TRANSFER_REASONS)
        t.advance(0.2, 24)
        self.transfers.append(CaseTransfer(case=case, from_agency=case.agency, to_agency=target, reason=reason,
                                           by=actor, at=t.at))
        t.audit(AuditAction.TRANSFERRED, actor=actor, reason=reason, before={"agency": case.agency.slug},
                after={"agency": target.slug})
        case.agency, case.team, case.assignee = target, None, None
