"""Writes of the staff side's own data: saving and deleting a staff member's inbox views (one transaction each)."""

from typing import Any

from django.db import transaction

from civicdesk.inbox.models import SavedView

MAX_SAVED_VIEWS = 30


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
