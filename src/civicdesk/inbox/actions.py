"""Writes of the staff side's own data: saved inbox views and case-page presence (one transaction each)."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from civicdesk.inbox.models import CasePresence, PresenceState, SavedView

MAX_SAVED_VIEWS = 30
PRESENCE_SECONDS = 30  # a page's heartbeat comes every PRESENCE_HEARTBEAT_SECONDS; a closed tab is gone after this


class TooManySavedViews(ValueError):
    pass


@transaction.atomic
def save_view(user: Any, name: str, query: str) -> tuple[SavedView, bool]:
    """Save filters under a name; the same name (in any case) replaces that view's filters. (view, created)."""
    name = " ".join(name.split())
    existing = SavedView.objects.select_for_update().filter(user=user, name__iexact=name).first()
    if existing is not None:
        existing.name, existing.query = name, query
        existing.save(update_fields=["name", "query"])
        return existing, False
    if SavedView.objects.filter(user=user).count() >= MAX_SAVED_VIEWS:
        raise TooManySavedViews(name)
    return SavedView.objects.create(user=user, name=name, query=query), True


@transaction.atomic
def delete_view(user: Any, pk: int) -> SavedView | None:
    """Delete one of the user's own saved views; None when they have no view by that id."""
    view = SavedView.objects.filter(user=user, pk=pk).first()
    if view is not None:
        view.delete()
    return view


@transaction.atomic
def mark_present(case: Any, user: Any, tab: str, state: str) -> None:
    """A case page's heartbeat: this tab of this user is on the case (viewing or writing) for PRESENCE_SECONDS more.

    A tab that has said it left stays gone: a heartbeat it sent just before leaving can arrive after the beacon.
    Stale rows of every case go at the same time (one indexed delete), so the table holds only open pages."""
    now = timezone.now()
    CasePresence.objects.filter(expires_at__lt=now).delete()
    row = CasePresence.objects.select_for_update().filter(case=case, user=user, tab=tab).first()
    if row is not None and row.state == PresenceState.GONE:
        return
    CasePresence.objects.update_or_create(
        case=case, user=user, tab=tab,
        defaults={"state": state, "seen_at": now, "expires_at": now + timedelta(seconds=PRESENCE_SECONDS)})


@transaction.atomic
def mark_gone(case: Any, user: Any, tab: str) -> None:
    """The page was closed or left: the others stop seeing this tab at once (the row stays, marked gone, until it
    expires, so that a heartbeat still on its way is ignored rather than bringing the tab back)."""
    now = timezone.now()
    CasePresence.objects.update_or_create(
        case=case, user=user, tab=tab,
        defaults={"state": PresenceState.GONE, "seen_at": now,
                  "expires_at": now + timedelta(seconds=PRESENCE_SECONDS)})
