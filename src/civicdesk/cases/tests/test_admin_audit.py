"""Edits made in the Django admin land on the audit trail with who, when, before and after."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from civicdesk.audit.models import AuditAction
from civicdesk.cases.models import Case, Tag
from civicdesk.testing.factories import create_agency, create_case

pytestmark = pytest.mark.django_db


def case_form(case: Case, **changes: Any) -> dict[str, Any]:
    data = {"channel": case.channel, "status": case.status, "priority": case.priority, "agency": case.agency_id,
            "team": "", "assignee": "", "service": "", "contact": case.contact_id or "", "subject": case.subject,
            "description": case.description, "attributes": "{}", "address": case.address, "lat": "", "lon": "",
            "source_app": "", "merged_into": "", "supporter_count": 0, "tags": [],
            "messages-TOTAL_FORMS": 0, "messages-INITIAL_FORMS": 0, "messages-MIN_NUM_FORMS": 0,
            "messages-MAX_NUM_FORMS": 1000}
    return {**data, **changes}


def test_an_admin_edit_records_only_what_changed(admin_client: Any) -> None:
    desk = create_agency("311")
    other = create_agency("housing")
    case = create_case(subject="Leaking roof")
    url = reverse("admin:cases_case_change", args=[case.pk])
    response = admin_client.post(url, case_form(case, status="in_progress", agency=other.pk,
                                                 tags=[Tag.objects.create(name="roof").pk]))
    assert response.status_code == 302, response.content
    case.refresh_from_db()
    assert case.status == "in_progress" and case.agency == other
    entry = case.audit.get(action=AuditAction.FIELD_CHANGED)
    assert entry.actor == User.objects.get(username="admin") and entry.reason == "Edited in the admin"
    assert entry.before == {"status": "new", "agency": desk.slug}
    assert entry.after == {"status": "in_progress", "agency": other.slug}
    page = admin_client.get(reverse("inbox:case", args=[case.number])).content.decode()
    assert "admin edited the case: Agency: 311 → Housing; Status: New → In progress" in page
    assert case.audit.get(action=AuditAction.TAGS_CHANGED).after == {"tags": ["roof"]}

    admin_client.post(url, case_form(case, tags=[Tag.objects.get().pk]))  # saving unchanged adds nothing
    assert case.audit.filter(action=AuditAction.FIELD_CHANGED).count() == 1
    assert case.audit.filter(action=AuditAction.TAGS_CHANGED).count() == 1
