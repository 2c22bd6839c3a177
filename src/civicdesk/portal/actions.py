"""The portal's writes through the one intake: request forms become cases; residents' comments join their own."""

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from civicdesk.cases.actions import finished_at, reopen_not_fixed
from civicdesk.cases.models import Case
from civicdesk.channels.media import stage_file
from civicdesk.channels.models import Channel
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations.intake import accept
from civicdesk.conversations.pipeline import IngestResult
from civicdesk.portal.adapter import PAYLOAD_VERSION, UPDATE_KIND
from civicdesk.portal.forms import ResidentUpdateForm, ServiceRequestForm
from civicdesk.portal.photos import Photo

log = logging.getLogger(__name__)


def build_payload(form: ServiceRequestForm) -> bytes:
    """The raw JSON kept for the submission, which WebAdapter.parse reads back. Photos are staged as files first
    and named here by sha256, so the payload stays small and a replay still finds them."""
    data = form.cleaned_data
    service = form.service
    return json.dumps({
        "version": PAYLOAD_VERSION,
        "form_token": data["form_token"],
        "submitted_at": timezone.now().isoformat(),
        "service_code": service.code,
        "service_name": service.name,
        "description": data["description"],
        "attributes": form.attribute_answers(),
        "address": data.get("address", ""),
        "lat": data.get("lat"),
        "lon": data.get("lon"),
        "contact": {key: data.get(key, "") for key in ("first_name", "last_name", "email", "phone")},
        "photos": [_staged_photo(photo) for photo in form.photo_list],
    }).encode()


def _staged_photo(photo: Photo) -> dict[str, object]:
    staged = stage_file(Channel.WEB, photo.content)
    return {"filename": photo.filename, "content_type": photo.content_type, "size": staged.size,
            "sha256": staged.sha256}


def submit_request(form: ServiceRequestForm) -> IngestResult:
    """Store the submission (once per form token, so a double submit makes one case) and process it now."""
    result = accept(Channel.WEB, build_payload(form), provider_message_id=form.cleaned_data["form_token"],
                    meta={"source": "portal"}, content_type="application/json", inline=True)
    if result.case is not None:
        log.info("Portal request %s %s for service %s", result.case.number,
                 "created" if result.stored else "resubmitted", form.service.code)
    return result


class UpdateRefused(Exception):
    """A resident's update that cannot be taken now; the message is shown to the resident."""


def target_case(case: Case) -> Case:
    """The case a resident's update goes to: their own, or the request it was combined into."""
    while case.merged_into_id is not None and case.merged_into is not None:
        case = case.merged_into
    return case


def can_reopen(case: Case) -> bool:
    """Resolved or closed within REOPEN_WINDOW_DAYS: the resident may still say it is not fixed."""
    done = finished_at(case)
    return done is not None and timezone.now() - done <= timedelta(days=settings.REOPEN_WINDOW_DAYS)


def _sender(case: Case) -> dict[str, str]:
    """The resident's own identity on the case (email first), so the message is theirs on the timeline."""
    if case.contact_id is None:
        return {}
    identities = list(Identity.objects.filter(contact_id=case.contact_id, kind__in=[IdentityKind.EMAIL,
                                                                                   IdentityKind.PHONE])
                      .order_by("kind", "pk").values_list("kind", "value"))
    found: dict[str, str] = {}
    for kind, value in identities:
        found.setdefault(kind, value)
    return found


def build_update_payload(case: Case, form: ResidentUpdateForm, *, into: Case | None = None) -> bytes:
    """The raw JSON of a resident's comment on their `case` (going `into` the request it was merged into, if so),
    which WebAdapter.parse reads back; photos are staged like a request's. The sender is always the resident of
    their own case, never the survivor's."""
    data = form.cleaned_data
    text = (data.get("text") or "").strip()
    if form.not_fixed and not text:
        text = gettext("This is not fixed.")
    return json.dumps({
        "version": PAYLOAD_VERSION,
        "kind": UPDATE_KIND,
        "form_token": data["form_token"],
        "submitted_at": timezone.now().isoformat(),
        "case_number": (into or case).number,
        "not_fixed": form.not_fixed,
        "subject": (gettext("Not fixed, says the resident") if form.not_fixed
                    else gettext("Comment from the status page")),
        "text": text,
        "contact": _sender(case),
        "photos": [_staged_photo(photo) for photo in form.photo_list],
    }).encode()


def send_resident_update(case: Case, form: ResidentUpdateForm) -> IngestResult:
    """The resident's comment onto the timeline through the one intake; "not fixed" first reopens the case (within
    the window), in the same transaction, so the comment threads into the reopened case, not a new one."""
    target = target_case(case)
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=target.pk)
        if form.not_fixed and locked.is_finished:  # (an open one was reopened already: the comment still lands)
            if not can_reopen(locked):
                raise UpdateRefused(gettext(
                    "This request was finished more than %(days)s days ago, so it cannot be reopened. If the problem "
                    "is back, please make a new request.") % {"days": settings.REOPEN_WINDOW_DAYS})
            reopen_not_fixed(locked)
        elif locked.is_finished:
            raise UpdateRefused(gettext(
                "This request is finished, so comments are closed. If the problem is still there, say it is not "
                "fixed instead."))
        result = accept(Channel.WEB, build_update_payload(case, form, into=locked),
                        provider_message_id=form.cleaned_data["form_token"], meta={"source": "portal-status"},
                        content_type="application/json", inline=True)
        if result.case is None:
            raise UpdateRefused(gettext("We could not add your comment because of a problem on our side. Our staff "
                                        "have been told; please try again later."))
    log.info("Resident update on %s%s", locked.number, " (not fixed)" if form.not_fixed else "")
    return result
