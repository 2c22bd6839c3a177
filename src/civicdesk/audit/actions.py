"""Writing audit entries; callers run inside their own transaction."""

from typing import Any

from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry


def record(
    action: AuditAction,
    *,
    case: Any = None,
    contact: Any = None,
    actor: Any = None,
    actor_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label or ("" if actor else "system"),
        action=action,
        case=case,
        contact=contact,
        before=before or {},
        after=after or {},
        reason=reason,
    )
