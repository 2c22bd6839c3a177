"""SLA policies (targets for first response, next response and resolution) and each case's targets with due times."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import CaseStatus, Priority
from civicdesk.channels.models import Channel


class Hours(models.TextChoices):
    """Which clock a target runs on: the agency's (or team's) business calendar, or every hour of the day."""

    BUSINESS = "business", _("Business hours (the agency's calendar)")
    CALENDAR = "calendar", _("Calendar time (around the clock)")


class TargetKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")


DEFAULT_PAUSE_STATUSES = [CaseStatus.WAITING.value]


def default_pause_statuses() -> list[str]:
    return list(DEFAULT_PAUSE_STATUSES)


class SlaPolicy(models.Model):
    """Targets for an agency's cases, narrowed by service, priority and channel (empty: any).

    The policy of a case is the most specific active policy of its agency that fits it: a policy naming the service
    beats one that does not, then one naming the priority, then one naming the channel (so service > priority >
    channel); among equals the oldest wins. Targets are durations in seconds on the policy's clock (`hours`); an
    empty target is not measured."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="sla_policies")
    name = models.CharField(_("name"), max_length=120)
    service = models.ForeignKey("agencies.Service", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("service"), help_text=_("Empty: any service."))
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True,
                                help_text=_("Empty: any priority."))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True,
                               help_text=_("Empty: any channel."))
    first_response_seconds = models.PositiveIntegerField(_("first response target"), null=True, blank=True)
    next_response_seconds = models.PositiveIntegerField(_("next response target"), null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(_("resolution target"), null=True, blank=True)
    hours = models.CharField(_("clock"), max_length=10, choices=Hours.choices, default=Hours.BUSINESS)
    pause_statuses = models.JSONField(_("statuses that pause the clock"), default=default_pause_statuses, blank=True)
    warn_percent = models.PositiveSmallIntegerField(
        _("warn at this share of the target (%)"), null=True, blank=True, default=80,
        help_text=_("A warning fires when this share of the target has passed; empty: use the time before."))
    warn_seconds_before = models.PositiveIntegerField(
        _("warn this long before the due time"), null=True, blank=True,
        help_text=_("Used when no share is set."))
    escalate_priority = models.BooleanField(_("raise the priority on a breach"), default=False)
    escalate_unassign = models.BooleanField(_("return the case to its team's queue on a breach"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["agency__name", "name", "id"]
        indexes = [models.Index(fields=["agency"], name="sla_policy_agency", condition=Q(is_active=True))]

    def __str__(self) -> str:
        return self.name

    def target_seconds(self, kind: str) -> int | None:
        return {TargetKind.FIRST_RESPONSE: self.first_response_seconds,
                TargetKind.NEXT_RESPONSE: self.next_response_seconds,
                TargetKind.RESOLUTION: self.resolution_seconds}[TargetKind(kind)]

    def warn_offset(self, target: float) -> float:
        """Seconds (on the policy's clock) from the start of a target to its warning point."""
        if self.warn_percent is not None:
            return target * min(self.warn_percent, 100) / 100
        if self.warn_seconds_before is not None:
            return max(0.0, target - self.warn_seconds_before)
        return target


# A target runs while it is neither met nor cancelled; it is paused while paused_at is set (then due_at is empty).
RUNNING = Q(met_at__isnull=True, cancelled_at__isnull=True)


class CaseTarget(models.Model):
    """One target of a case: due by `due_at`, met at `met_at`, breached (missed) at `breached_at`.

    A case has at most one running target of each kind; met or cancelled ones stay as its history (a next-response
    target for each time the resident wrote again, a resolution target for each reopen). `paused_seconds` is the time
    (on the target's clock) spent in pausing statuses: due_at = started_at plus target plus paused time."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="sla_targets", db_index=False)
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets")
    kind = models.CharField(max_length=20, choices=TargetKind.choices)
    hours = models.CharField(max_length=10, choices=Hours.choices, default=Hours.BUSINESS)
    target_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("Empty while the clock is paused."))
    warn_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True,
                                        help_text=_("No longer measured: the case was resolved, or left the policy."))
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.FloatField(default=0)
    claim = models.CharField(max_length=32, blank=True,
                             help_text=_("The sweep that marked it last: that sweep writes its warning or breach."))

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["case", "kind"], name="sla_target_case"),
            # The sweep's two range scans: only running targets that are still to warn or to breach are in them.
            models.Index(fields=["warn_at"], name="sla_target_to_warn",
                         condition=RUNNING & Q(warned_at__isnull=True, breached_at__isnull=True,
                                               warn_at__isnull=False)),
            models.Index(fields=["due_at"], name="sla_target_to_breach",
                         condition=RUNNING & Q(breached_at__isnull=True, due_at__isnull=False)),
            # Compliance over a period: met and breached moments.
            models.Index(fields=["met_at"], name="sla_target_met", condition=Q(met_at__isnull=False)),
            models.Index(fields=["breached_at"], name="sla_target_breached", condition=Q(breached_at__isnull=False)),
        ]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], condition=RUNNING,
                                               name="sla_target_one_running_per_kind")]

    def __str__(self) -> str:
        return f"{self.case_id}:{self.kind}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None
