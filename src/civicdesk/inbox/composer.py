"""What the composer on a case page shows besides its fields: where a reply goes, in plain words, for each audience."""

from typing import Any

from django.conf import settings

from civicdesk.cases.models import Case
from civicdesk.contacts.models import Identity
from civicdesk.conversations import drafts
from civicdesk.inbox.forms import ReplyForm


def composer_context(case: Case, form: ReplyForm, identity: Identity | None = None) -> dict[str, Any]:
    """The composer's template context: the form, the mode it shows, and a private reply's and a public update's
    destination (with `identity`, the address the agent picked; the form reports one that is not the resident's)."""
    try:
        private = drafts.destination(case, public=False, identity=identity)
        public = drafts.destination(case, public=True, identity=identity)
    except ValueError:
        private = drafts.destination(case, public=False)
        public = drafts.destination(case, public=True)
    return {"case": case, "composer_form": form, "private_destination": private, "public_destination": public,
            "follower_count": case.followers.count(),
            "composer_mode": form.initial_mode(), "max_files": drafts.MAX_FILES,
            "max_upload_mb": max(1, settings.MAX_ATTACHMENTS_BYTES // (1024 * 1024))}


def picked_identity(form: ReplyForm) -> Identity | None:
    """The resident's identity chosen in the (possibly invalid) form, for the plain-words line."""
    return form.identities.get(str(form.data.get("send_to") or "")) if form.is_bound else None
