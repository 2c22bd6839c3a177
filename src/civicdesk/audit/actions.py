"""Writing audit entries; callers run inside their own transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import timezone

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.core.gathering import gathering

_gathering: ContextVar[list[AuditEntry] | None] = ContextVar("audit_gathering", default=None)


def entry(
    action: AuditAction,
    *,
    case: Any = None,
    contact: Any = None,
    staff: Any = None,
    actor: Any = None,
    actor_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    """An unsaved entry, for record_all; record() takes the same arguments and saves it."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry(
        at=timezone.now(),
        actor=actor,
        actor_label=actor_label or ("" if actor else "system"),
        action=action,
        case=case,
        contact=contact,
        staff=staff,
        before=before or {},
        after=after or {},
        reason=reason,
    )


def record(
    action: AuditAction,
    *,
    case: Any = None,
    contact: Any = None,
    staff: Any = None,
    actor: Any = None,
    actor_label: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEntry:
    made = entry(action, case=case, contact=contact, staff=staff, actor=actor, actor_label=actor_label,
                 before=before, after=after, reason=reason)
    made.save(force_insert=True)
    return made


def record_all(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Several entries of one change in one INSERT, in order (inside `gathered()`: with the others, at its end;
    their ids are unset until then)."""
    pending = _gathering.get()
    if pending is not None:
        pending.extend(entries)
        return entries
    return AuditEntry.objects.bulk_create(entries)


def record_soon(action: AuditAction, **fields: Any) -> None:
    """record() for a caller that needs nothing back: inside `gathered()` the entry waits for the one INSERT."""
    record_all([entry(action, **fields)])


@contextmanager
def gathered() -> Iterator[None]:
    """Entries written by record_all and record_soon inside are inserted in one statement when it ends without an
    error (the inbound batch worker's group: a dozen texts' entries at once). The caller's transaction must span
    it, so the entries commit, or roll back, with what they describe; on an error they are dropped."""
    with gathering(_gathering, [], AuditEntry.objects.bulk_create):
        yield


def snapshot(instance: Any, fields: list[str]) -> dict[str, Any]:
    """JSON-friendly values of the named model fields (foreign keys by slug or id), for before/after."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(str(o) for o in getattr(instance, name).all()) if instance.pk else []
            continue
        value = getattr(instance, field.attname)
        if field.many_to_one and value is not None and hasattr(field.related_model, "slug"):
            value = getattr(getattr(instance, name), "slug", value)  # agencies by slug, like other entries
        values[name] = value if isinstance(value, str | int | float | bool | type(None) | dict | list) else str(value)
    return values


def record_field_changes(*, case: Any = None, contact: Any = None, actor: Any = None,
                         before: dict[str, Any], after: dict[str, Any], reason: str = "") -> AuditEntry | None:
    """One FIELD_CHANGED entry with only the fields whose value really changed; None when nothing did."""
    changed = [k for k in after if before.get(k) != after[k]]
    if not changed:
        return None
    action = AuditAction.FIELD_CHANGED if case is not None else AuditAction.CONTACT_CHANGED
    return record(action, case=case, contact=contact, actor=actor, reason=reason,
                  before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
