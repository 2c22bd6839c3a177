"""The API caps and cleans text like the staff forms do: too long, blank or NUL-bearing text is a 422, never stored."""

import pytest
from django.conf import settings

from civicdesk.cases.models import CaseTransfer, Direction, Message
from civicdesk.inbox.forms import TRANSFER_REASON_LENGTH, NoteForm, ReplyForm, TransferForm

pytestmark = pytest.mark.django_db


def _refused(response, field):
    assert response.status_code == 422, response.content[:300]
    detail = response.json()["detail"]
    assert any(field in (item.get("loc") or []) for item in detail), detail
    return " ".join(str(item.get("msg", "")) for item in detail)


def test_the_api_limits_are_the_forms_limits(works_case):
    assert ReplyForm().fields["text"].max_length == settings.MAX_TEXT_LENGTH
    assert NoteForm().fields["text"].max_length == settings.MAX_TEXT_LENGTH
    assert TransferForm(case=works_case).fields["reason"].max_length == TRANSFER_REASON_LENGTH


def test_a_200000_character_note_is_refused_and_nothing_is_stored(works_api, works_case):
    message = _refused(works_api.post(f"/api/cases/{works_case.number}/notes", {"text": "n" * 200_000}), "text")
    assert str(settings.MAX_TEXT_LENGTH) in message
    assert not Message.objects.filter(case=works_case, direction=Direction.NOTE).exists()


def test_a_reply_one_character_over_the_limit_is_refused_and_one_at_the_limit_is_sent(works_api, works_case):
    url = f"/api/cases/{works_case.number}/replies"
    _refused(works_api.post(url, {"text": "r" * (settings.MAX_TEXT_LENGTH + 1)}), "text")
    assert not Message.objects.filter(case=works_case, direction=Direction.OUTBOUND, author__isnull=False).exists()
    assert works_api.post(url, {"text": "r" * settings.MAX_TEXT_LENGTH}).status_code == 201


def test_a_transfer_reason_longer_than_the_form_allows_is_refused_and_the_case_stays(works_api, works_case):
    response = works_api.post(f"/api/cases/{works_case.number}/transfer",
                              {"agency": "parks", "reason": "why " * TRANSFER_REASON_LENGTH})
    _refused(response, "reason")
    works_case.refresh_from_db()
    assert works_case.agency.slug == "public-works" and not CaseTransfer.objects.exists()


def test_a_blank_transfer_reason_or_note_is_refused_not_a_500(works_api, works_case):
    _refused(works_api.post(f"/api/cases/{works_case.number}/transfer", {"agency": "parks", "reason": "   "}),
             "reason")
    _refused(works_api.post(f"/api/cases/{works_case.number}/notes", {"text": " \n\t "}), "text")
    assert not CaseTransfer.objects.exists()
    assert not Message.objects.filter(case=works_case, direction=Direction.NOTE).exists()


def test_text_is_stripped_like_the_forms_strip_it(works_api, works_case):
    assert works_api.post(f"/api/cases/{works_case.number}/notes", {"text": "  Checked the site.\n"}).status_code == 201
    assert Message.objects.get(case=works_case, direction=Direction.NOTE).body_text == "Checked the site."


def test_a_nul_character_in_text_is_refused_on_every_engine(works_api, works_case):
    message = _refused(works_api.post(f"/api/cases/{works_case.number}/notes", {"text": "a\x00b"}), "text")
    assert "NUL" in message
    _refused(works_api.post(f"/api/cases/{works_case.number}/assign", {"assignee": "wanda\x00"}), "assignee")
    assert not Message.objects.filter(case=works_case, direction=Direction.NOTE).exists()


def test_over_long_usernames_and_slugs_are_refused(works_api, works_case):
    _refused(works_api.post(f"/api/cases/{works_case.number}/assign", {"assignee": "u" * 151}), "assignee")
    _refused(works_api.post(f"/api/cases/{works_case.number}/transfer", {"agency": "p" * 51, "reason": "x"}),
             "agency")


def test_search_text_is_capped_like_the_inbox_search_box(works_api, works_case):
    _refused(works_api.get("/api/cases", {"q": "q" * 201}), "q")
    nul = works_api.get("/api/cases", {"q": "pot\x00hole"})
    assert nul.status_code == 400 and "NUL" in nul.json()["detail"]
    assert works_api.get("/api/cases", {"q": "q" * 200}).status_code == 200
