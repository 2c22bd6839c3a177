"""Writes of SLA policies from the staff page (each audited as an agency setting change); the clocks themselves move
in slas.clocks (case events) and slas.sweep (the periodic sweep)."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.audit.actions import record
from civicdesk.audit.models import AuditAction
from civicdesk.slas.models import SlaPolicy

POLICY_FIELDS = ("name", "service", "priority", "channel", "first_response_seconds", "next_response_seconds",
                 "resolution_seconds", "hours", "pause_statuses", "warn_percent", "warn_seconds_before",
                 "escalate_priority", "escalate_unassign", "is_active")


def _values(policy: SlaPolicy) -> dict[str, Any]:
    values = {name: getattr(policy, name) for name in POLICY_FIELDS if name != "service"}
    values["service"] = policy.service.code if policy.service_id and policy.service else None
    return values


@transaction.atomic
def save_policy(policy: SlaPolicy, *, actor: Any) -> SlaPolicy:
    """Create or change a policy. Cases already running keep their targets until their agency, team, service,
    priority or channel changes (then they follow the policy that fits them now); new cases use it at once."""
    now = timezone.now()
    before = _values(SlaPolicy.objects.get(pk=policy.pk)) if policy.pk else {}
    if policy.pk is None:
        policy.created_at = now
    policy.updated_at = now
    policy.save()
    after = _values(policy)
    changed = {key: value for key, value in after.items() if before.get(key) != value}
    record(AuditAction.AGENCY_CHANGED, actor=actor, before={"sla_policy": policy.pk, **{k: before.get(k)
                                                                                        for k in changed}},
           after={"sla_policy": policy.pk, "agency": policy.agency.slug, **changed},
           reason=(gettext("SLA policy “%(name)s” changed.") if before else gettext("SLA policy “%(name)s” created."))
           % {"name": policy.name})
    return policy


@transaction.atomic
def delete_policy(policy: SlaPolicy, *, actor: Any) -> None:
    """Remove a policy; the targets it set keep their due times (their policy becomes empty) and are still swept."""
    record(AuditAction.AGENCY_CHANGED, actor=actor, before={"sla_policy": policy.pk, **_values(policy)},
           after={"sla_policy": None, "agency": policy.agency.slug},
           reason=gettext("SLA policy “%(name)s” deleted.") % {"name": policy.name})
    policy.delete()
