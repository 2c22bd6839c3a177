"""The form of an SLA policy on the Targets page: what it applies to, its targets in hours, its clock, the statuses
that pause it, the warning and the escalation."""

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicdesk.agencies.models import Agency, Service
from civicdesk.cases.filters import open_statuses
from civicdesk.cases.models import CaseStatus, Priority
from civicdesk.channels.models import Channel
from civicdesk.inbox.forms import ANY, StaffForm
from civicdesk.slas.models import Hours, SlaPolicy

MAX_HOURS = Decimal(24 * 366)
TARGETS = (("first_response", gettext_lazy("First response within (hours)"),
            gettext_lazy("From the case's creation to the first reply to the resident that a person wrote.")),
           ("next_response", gettext_lazy("Next response within (hours)"),
            gettext_lazy("From each new message of the resident (after the first reply) to the next reply.")),
           ("resolution", gettext_lazy("Resolution within (hours)"),
            gettext_lazy("From the case's creation (or its reopening) to its resolution.")))


def _hours_field(label: Any, help_text: Any) -> forms.DecimalField:
    return forms.DecimalField(required=False, label=label, help_text=help_text, min_value=Decimal("0.01"),
                              max_value=MAX_HOURS, decimal_places=2, max_digits=7)


class PolicyForm(StaffForm):
    id_prefix = "policy"
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    service = forms.ChoiceField(required=False, label=gettext_lazy("Service"), choices=ANY)
    priority = forms.ChoiceField(required=False, label=gettext_lazy("Priority"), choices=[*ANY, *Priority.choices])
    channel = forms.ChoiceField(required=False, label=gettext_lazy("Channel"), choices=[*ANY, *Channel.choices])
    first_response = _hours_field(*TARGETS[0][1:])
    next_response = _hours_field(*TARGETS[1][1:])
    resolution = _hours_field(*TARGETS[2][1:])
    hours = forms.ChoiceField(label=gettext_lazy("Clock"), choices=Hours.choices,
                              help_text=gettext_lazy("Business hours count only when the agency's calendar is open."))
    pause_statuses = forms.MultipleChoiceField(
        required=False, label=gettext_lazy("Statuses that pause the clock"), widget=forms.CheckboxSelectMultiple,
        choices=[(s, CaseStatus(s).label) for s in open_statuses()],
        help_text=gettext_lazy("While a case is in one of these, its targets wait; its due times move by the time "
                               "spent there."))
    warn_percent = forms.IntegerField(
        required=False, label=gettext_lazy("Warn when this share of a target has passed (%)"), min_value=1,
        max_value=99, help_text=gettext_lazy("For example 80. Leave it empty to warn a number of minutes before."))
    warn_minutes_before = forms.IntegerField(
        required=False, label=gettext_lazy("Or warn this many minutes before the due time"), min_value=1,
        max_value=60 * 24 * 30)
    escalate_priority = forms.BooleanField(required=False, label=gettext_lazy("On a missed target, raise the "
                                                                             "priority one step"))
    escalate_unassign = forms.BooleanField(required=False, label=gettext_lazy("On a missed target, return the case "
                                                                             "to its team's queue (unassign it)"))
    is_active = forms.BooleanField(required=False, label=gettext_lazy("Active"), initial=True)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agency = agency
        services = Service.objects.filter(agency=agency).order_by("name")
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = ANY + [(s.code, s.name) for s in services]

    @classmethod
    def of(cls, policy: SlaPolicy, **kwargs: Any) -> "PolicyForm":
        def hours(seconds: int | None) -> Decimal | None:
            return None if seconds is None else (Decimal(seconds) / 3600).quantize(Decimal("0.01"))

        return cls(agency=policy.agency, initial={
            "name": policy.name, "service": policy.service.code if policy.service else "",
            "priority": policy.priority, "channel": policy.channel,
            "first_response": hours(policy.first_response_seconds), "next_response": hours(
                policy.next_response_seconds), "resolution": hours(policy.resolution_seconds),
            "hours": policy.hours, "pause_statuses": policy.pause_statuses, "warn_percent": policy.warn_percent,
            "warn_minutes_before": policy.warn_seconds_before // 60 if policy.warn_seconds_before else None,
            "escalate_priority": policy.escalate_priority, "escalate_unassign": policy.escalate_unassign,
            "is_active": policy.is_active}, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(name) for name, _label, _help in TARGETS) and not self.errors:
            raise forms.ValidationError(_("Give at least one target: first response, next response or resolution."))
        return data

    def apply(self, policy: SlaPolicy) -> SlaPolicy:
        """The cleaned values on the policy (unsaved)."""
        data = self.cleaned_data
        policy.agency = self.agency
        policy.name = data["name"].strip()
        code = data.get("service") or ""
        policy.service = Service.objects.filter(agency=self.agency, code=code).first() if code else None
        policy.priority, policy.channel, policy.hours = data.get("priority") or "", data.get("channel") or "", \
            data["hours"]
        for name, _label, _help in TARGETS:
            value = data.get(name)
            setattr(policy, f"{name}_seconds", int(value * 3600) if value else None)
        policy.pause_statuses = list(data.get("pause_statuses") or [])
        policy.warn_percent = data.get("warn_percent")
        minutes = data.get("warn_minutes_before")
        policy.warn_seconds_before = minutes * 60 if minutes else None
        policy.escalate_priority = bool(data.get("escalate_priority"))
        policy.escalate_unassign = bool(data.get("escalate_unassign"))
        policy.is_active = bool(data.get("is_active"))
        return policy
