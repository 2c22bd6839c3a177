"""The Open311 shape of our objects: services, definitions, requests (with extensions) and updates, as plain data."""

from typing import Any

from django.conf import settings
from django.urls import reverse

from civicdesk.agencies.models import AttributeDatatype, Service
from civicdesk.cases.models import Case, Direction, Message
from civicdesk.open311.formats import w3c
from civicdesk.open311.models import RequestDetail
from civicdesk.open311.queries import UpdateRow, open311_status

LIST_DATATYPES = (AttributeDatatype.SINGLE_VALUE_LIST, AttributeDatatype.MULTI_VALUE_LIST)
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def discovery(changeset: str) -> dict[str, Any]:
    base = settings.SITE_URL.rstrip("/") + reverse("open311:discovery", kwargs={"fmt": "xml"}).rsplit("/", 1)[0]
    return {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT or f"{settings.SITE_NAME} <{settings.DEFAULT_FROM_EMAIL}>",
        "key_service": f"{settings.SITE_NAME}: ask the administrator for an API key "
                       f"({settings.DEFAULT_FROM_EMAIL}); keys are issued with `civicdesk open311 key create`.",
        "endpoints": [{
            "specification": SPECIFICATION, "url": base + "/", "changeset": changeset, "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }


def service_item(service: Service) -> dict[str, Any]:
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": service.description,
        "metadata": bool(getattr(service, "attribute_count", 0)),
        "type": "realtime" if service.is_realtime else "batch",
        "keywords": service.keywords,
        "group": service.group,
    }


def service_definition(service: Service) -> dict[str, Any]:
    attributes = []
    for position, attribute in enumerate(service.attributes.all(), start=1):  # unique, 1-based order
        item: dict[str, Any] = {
            "variable": attribute.variable, "code": attribute.code, "datatype": attribute.datatype,
            "required": attribute.required, "datatype_description": attribute.datatype_description,
            "order": position, "description": attribute.description,
        }
        if attribute.datatype in LIST_DATATYPES:
            item["values"] = [{"key": str(v.get("key", "")), "name": str(v.get("name", ""))}
                              for v in attribute.values]
        attributes.append(item)
    return {"service_code": service.code, "attributes": attributes}


def publishes_submission(case: Case) -> bool:
    """The resident's own description and photo are public only where the service allows it."""
    return bool(case.service and case.service.publish_description)


def _media_url(case: Case, detail: RequestDetail | None) -> str | None:
    if not publishes_submission(case):
        return None
    photo = getattr(case, "first_photo", None)
    if photo:
        return settings.SITE_URL.rstrip("/") + settings.MEDIA_URL + str(photo)
    return (detail.media_url if detail else "") or None


def request_item(case: Case, notes: list[Message] | None = None) -> dict[str, Any]:
    """One service request; `notes` (a list, possibly empty) turns on the extensions=true fields."""
    try:
        detail: RequestDetail | None = case.open311  # type: ignore[attr-defined]
    except RequestDetail.DoesNotExist:
        detail = None
    service = case.service
    closed = open311_status(case.status) == "closed"
    item: dict[str, Any] = {
        "service_request_id": case.public_id,
        "status": "closed" if closed else "open",
        "status_notes": getattr(case, "latest_note", None) or None,
        "service_name": service.name if service else None,
        "service_code": service.code if service else None,
        "description": (case.description[:4000] or None) if publishes_submission(case) else None,
        "agency_responsible": case.agency.name,
        "service_notice": None,
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c((case.closed_at or case.resolved_at or case.updated_at) if closed else case.updated_at),
        "expected_datetime": None,
        "address": case.address or None,
        "address_id": (detail.address_id if detail else "") or None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": _media_url(case, detail),
    }
    if notes is not None:
        answers = sorted(case.attributes.items()) if publishes_submission(case) else []  # free text may be personal
        item["attributes"] = [{"code": code, "value": value if not isinstance(value, list) else ",".join(
            str(v) for v in value)} for code, value in answers]
        item["extended_attributes"] = {"channel": case.channel, "detailed_status": case.status,
                                       "source_app": case.source_app or None}
        item["notes"] = _notes(case, notes)
    return item


def _notes(case: Case, messages: list[Message]) -> list[dict[str, Any]]:
    """The public history: submitted, staff's public updates (never residents' or private messages), closed."""
    history = [{"datetime": w3c(case.created_at), "description": "Request submitted", "type": "submitted"}]
    for message in messages:
        if not message.is_public or message.direction == Direction.NOTE:
            continue
        history.append({"datetime": w3c(message.created_at), "description": message.visible_text or message.body_text,
                        "type": "activity" if message.direction == Direction.OUTBOUND else "comment"})
    if case.closed_at or case.resolved_at:
        history.append({"datetime": w3c(case.closed_at or case.resolved_at), "description": "Request closed",
                        "type": "closed"})
    return history


def update_item(row: UpdateRow) -> dict[str, Any]:
    return {
        "update_id": row.update_id,
        "service_request_id": row.case.public_id,
        "status": row.status,
        "updated_datetime": w3c(row.at),
        "description": row.description,
        "media_url": "",
        "external_status_code": row.case.status,
    }
