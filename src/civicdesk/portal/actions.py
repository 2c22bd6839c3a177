"""The portal's one write: turning a validated request form into a case through the shared ingest pipeline."""

import base64
import json
import logging

from django.db import IntegrityError
from django.utils import timezone

from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import IngestResult, process
from civicdesk.portal.adapter import PAYLOAD_VERSION
from civicdesk.portal.forms import ServiceRequestForm

log = logging.getLogger(__name__)


def build_payload(form: ServiceRequestForm) -> bytes:
    """The raw JSON kept for the submission (photos included), which WebAdapter.parse reads back."""
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
        "photos": [
            {"filename": p.filename, "content_type": p.content_type,
             "data_base64": base64.b64encode(p.content).decode("ascii")}
            for p in form.photo_list
        ],
    }).encode()


def submit_request(form: ServiceRequestForm) -> IngestResult:
    """Store the submission (once per form token, so a double submit makes one case) and process it now."""
    payload, created = store_payload("web", build_payload(form), provider_message_id=form.cleaned_data["form_token"],
                                     meta={"source": "portal"}, content_type="application/json")
    try:
        result = process(payload)
    except IntegrityError:  # the same token submitted twice at the same moment: the other request made the case
        payload.refresh_from_db()
        result = IngestResult(payload, payload.case, payload.message)
    if result.case is not None:
        log.info("Portal request %s %s for service %s", result.case.number,
                 "created" if created else "resubmitted", form.service.code)
    return result
