"""The portal's one write: turning a validated request form into a case through the shared ingest pipeline."""

import json
import logging

from django.utils import timezone, translation

from civicdesk.channels.media import stage_file
from civicdesk.channels.models import Channel
from civicdesk.conversations.intake import accept
from civicdesk.conversations.pipeline import IngestResult
from civicdesk.portal.adapter import PAYLOAD_VERSION
from civicdesk.portal.forms import ServiceRequestForm
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
        "language": translation.get_language() or "",  # the page's language: the contact's from now on
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
