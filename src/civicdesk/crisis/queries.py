"""Read-only questions of crisis mode: the active incidents, who a broadcast reaches and how long it takes."""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet, Subquery

from civicdesk.agencies.models import StaffRole
from civicdesk.cases.permissions import agency_ids, is_admin, staff_profile
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.crisis import texts
from civicdesk.crisis.models import (
    AlertChannel,
    Broadcast,
    BroadcastDelivery,
    BroadcastPost,
    DeliveryStatus,
    Incident,
    IncidentStatus,
    Subscription,
    SubscriptionStatus,
)
from civicdesk.gis.lookup import active_generation_key
from civicdesk.gis.models import Area

SOCIAL_CHANNELS = (Channel.MASTODON, Channel.BLUESKY, Channel.X, Channel.FACEBOOK, Channel.INSTAGRAM,
                   Channel.YOUTUBE)


def active_incidents() -> list[Incident]:
    """The incidents the portal's banner shows (one indexed query; usually none)."""
    return list(Incident.objects.filter(status=IncidentStatus.ACTIVE).order_by("-declared_at")[:3])


def staff_incidents(user: Any) -> QuerySet[Incident]:
    """The incidents a staff member sees on staff pages: their agencies' (administrators: every one)."""
    if is_admin(user):
        return Incident.objects.all()
    return Incident.objects.filter(agency_id__in=agency_ids(user))


def may_manage(user: Any, incident: Incident | None = None) -> bool:
    """Administrators manage every incident; supervisors those of their agencies (and declare for them)."""
    if is_admin(user):
        return True
    profile = staff_profile(user)
    if profile is None or profile.role != StaffRole.SUPERVISOR or not agency_ids(user):
        return False
    return incident is None or (incident.agency_id is not None and incident.agency_id in agency_ids(user))


def subscribable_areas() -> QuerySet[Area]:
    """The areas residents pick from: wards (non-jurisdiction areas of the first type in display order) of the
    active generation."""
    key = active_generation_key()
    if key is None:
        return Area.objects.none()
    current = Area.objects.filter(generation_low_id__lte=key[0], generation_high_id__gte=key[0])
    types = (current.filter(type__is_jurisdiction=False).order_by("type__display_order", "type_id")
             .values_list("type_id", flat=True))
    first = str(settings.CRISIS_AREA_TYPE or (types[0] if types else ""))
    return current.filter(type__slug=first).select_related("type").order_by("name")


def incident_areas(incident: Incident) -> list[Area]:
    return list(incident.areas.select_related("type").order_by("name"))


def alert_sms_account() -> ChannelAccount | None:
    """The number web subscribers get texts from: CRISIS_SMS_ACCOUNT (an id or a number), else the default
    agency's first SMS number, else any active SMS number."""
    numbers = ChannelAccount.objects.filter(channel=Channel.SMS, is_active=True).order_by("pk")
    chosen = str(settings.CRISIS_SMS_ACCOUNT or "")
    if chosen:
        found = numbers.filter(pk=int(chosen)) if chosen.isdigit() else numbers.filter(address=chosen)
        return found.first()
    return numbers.filter(agency__slug=settings.DEFAULT_AGENCY_SLUG).first() or numbers.first()


def audience(incident: Incident) -> QuerySet[Subscription]:
    """Active subscriptions an incident's broadcast reaches: the whole city's, and those of its areas."""
    active = Subscription.objects.filter(status=SubscriptionStatus.ACTIVE)
    if incident.whole_city:
        return active
    return active.filter(Q(area__isnull=True) | Q(area__in=incident.areas.all()))


def recipients(incident: Incident) -> QuerySet[Subscription]:
    """The subscriptions a broadcast goes to: one per address (the oldest), among the incident's audience."""
    firsts = (audience(incident).order_by().values("channel", "address").annotate(first=Min("pk"))
              .values("first"))
    return Subscription.objects.filter(pk__in=Subquery(firsts))


def segments_per_second(account: ChannelAccount | None) -> float:
    """The number's throughput: its own (limits "segments_per_second", e.g. 100 for a short code) or the
    setting (1 for a long-code number)."""
    own = (account.limits or {}).get("segments_per_second") if account is not None else None
    try:
        return max(0.001, float(own)) if own else max(0.001, float(settings.CRISIS_SMS_SEGMENTS_PER_SECOND))
    except (TypeError, ValueError):
        return max(0.001, float(settings.CRISIS_SMS_SEGMENTS_PER_SECOND))


@dataclass
class Estimate:
    sms: int = 0
    emails: int = 0
    segments: int = 0
    sms_seconds: float = 0.0
    email_seconds: float = 0.0
    numbers: dict[str, float] = field(default_factory=dict)  # number -> segments per second
    social: list[ChannelAccount] = field(default_factory=list)
    no_number: int = 0  # SMS subscribers with no number to text them from

    @property
    def seconds(self) -> float:
        return max(self.sms_seconds, self.email_seconds)


def estimate(incident: Incident, sms_en: str, sms_es: str) -> Estimate:
    """How many copies a broadcast makes and how long the throttles take: the SMS lane (each number at its own
    rate, numbers in parallel) and the email lane run side by side. One grouped query."""
    default = alert_sms_account()
    size = {lang: texts.segments((sms_es if lang == "es" and sms_es.strip() else sms_en).strip()
                                 + texts.sms_suffix(lang)) for lang in ("en", "es")}
    result = Estimate(social=social_accounts())
    by_account: Counter[int] = Counter()
    groups = (recipients(incident).order_by().values_list("channel", "account_id", "language")
              .annotate(n=Count("pk")))
    for channel, account_id, language, n in groups:
        if channel == AlertChannel.EMAIL:
            result.emails += n
            continue
        sender = account_id or (default.pk if default else None)
        if sender is None:
            result.no_number += n
        else:
            result.sms += n
            by_account[sender] += n * size.get(language, size["en"])
    accounts = {a.pk: a for a in ChannelAccount.objects.filter(pk__in=list(by_account))}
    for account_id, count in by_account.items():
        rate = segments_per_second(accounts.get(account_id))
        result.segments += count
        result.numbers[accounts[account_id].address if account_id in accounts else str(account_id)] = rate
        result.sms_seconds = max(result.sms_seconds, count / rate)
    result.email_seconds = result.emails / max(0.001, float(settings.CRISIS_EMAILS_PER_SECOND))
    return result


def social_accounts() -> list[ChannelAccount]:
    return list(ChannelAccount.objects.filter(channel__in=SOCIAL_CHANNELS, is_active=True).order_by("channel", "pk"))


@dataclass
class Progress:
    broadcast: Broadcast
    channels: dict[str, dict[str, int]]  # channel -> status -> count
    posts: list[BroadcastPost]

    @property
    def finished(self) -> bool:
        waiting = (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)
        return all(counts.get(s, 0) == 0 for counts in self.channels.values() for s in waiting)


def progress(broadcast: Broadcast) -> Progress:
    """Queued, sending, sent, failed and opted-out copies per channel (one grouped query), and the posts."""
    counts: dict[str, dict[str, int]] = {AlertChannel.SMS: {}, AlertChannel.EMAIL: {}}
    rows = (BroadcastDelivery.objects.filter(broadcast=broadcast).values_list("channel", "status")
            .annotate(n=Count("pk")).order_by())
    for channel, status, n in rows:
        counts.setdefault(channel, {})[status] = n
    for channel in counts.values():
        channel["total"] = sum(channel.values())
    posts = list(BroadcastPost.objects.filter(broadcast=broadcast).select_related("account").order_by("pk"))
    return Progress(broadcast, counts, posts)
