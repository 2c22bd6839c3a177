"""Issue 12 item 8: when the author edits or deletes a post, comment or message, every surface follows: the case
page shows the current text marked edited, or a stub with no text after a deletion; so do the resident's status
page, the public request page and Open311 (the case description follows the message that opened it), and search
no longer finds the case by the deleted words."""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from civicdesk.cases.models import Attachment, Message
from civicdesk.channels.events import AuthorEdit
from civicdesk.channels.models import Channel
from civicdesk.channels.payloads import store_payload
from civicdesk.conversations.pipeline import apply, prepare
from civicdesk.portal.views import VERIFIED_SESSION_KEY
from civicdesk.testing.social import social_case, use_test_adapters

pytestmark = pytest.mark.django_db
WORDS = "Zeppelin-shaped pothole outside the bakery"


@pytest.fixture(autouse=True)
def _adapters(settings):
    use_test_adapters(settings)


@pytest.fixture
def case(world):
    return social_case(world.pothole, Channel.MASTODON, "@rosa@social.example", WORDS, pid="toot-1")


def author(channel: str, target: str, *, text: str = "", deleted: bool = False, pid: str = "") -> None:
    event = AuthorEdit(channel=channel, provider_message_id=pid or f"edit-{target}-{deleted}-{text[:8]}",
                       target_id=target, text=text, deleted=deleted)
    payload, _ = store_payload(channel, b"{}", provider_message_id=event.provider_message_id)
    assert apply(payload, [prepare(event)]).outcomes == ["applied"]


def flat(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def timeline(client: Client, case) -> str:
    html = client.get(f"/staff/cases/{case.number}/").content.decode()
    return flat(re.search(r'<div id="case-timeline".*?</ol>', html, re.S).group(0))


def resident_page(case) -> str:
    browser = Client()
    session = browser.session
    session[VERIFIED_SESSION_KEY] = [case.public_id]
    session.save()
    response = browser.get(f"/status/{case.public_id}/")
    assert response.status_code == 200
    return flat(response.content.decode())


def found(client: Client, text: str) -> list[str]:
    return [c.number for c in client.get("/staff/", {"q": text}).context["cases"]]


def test_an_edit_shows_the_current_text_marked_edited_everywhere(works_client, case):
    author(Channel.MASTODON, "toot-1", text="Small crack by the library")
    case.refresh_from_db()
    assert case.description == "Small crack by the library"
    shown = timeline(works_client, case)
    assert "Small crack by the library" in shown and "Zeppelin" not in shown
    assert ">Edited</span> by its author on" in shown
    page = resident_page(case)
    assert "Small crack by the library" in page and "Edited" in page and "Zeppelin" not in page
    assert "Zeppelin" not in flat(Client().get(f"/requests/{case.public_id}/").content.decode())
    assert found(works_client, "library") == [case.number] and found(works_client, "zeppelin") == []


def test_a_deletion_leaves_a_stub_and_no_words_anywhere(works_client, case):
    message = Message.objects.get(case=case, direction="in")
    Attachment.objects.create(message=message, file=ContentFile(b"jpeg", name="hole.jpg"), filename="hole.jpg",
                              content_type="image/jpeg", size=4)
    assert found(works_client, "zeppelin") == [case.number]
    author(Channel.MASTODON, "toot-1", deleted=True)
    case.refresh_from_db()
    assert case.description == "" and "Zeppelin" not in case.subject
    shown = timeline(works_client, case)
    assert "Deleted by its author on" in shown and "Zeppelin" not in shown and "hole.jpg" not in shown
    assert not Attachment.objects.filter(message=message).exists()
    page = resident_page(case)
    assert "Deleted by its author on" in page and "Zeppelin" not in page
    assert "Zeppelin" not in Client().get(f"/requests/{case.public_id}/").content.decode()
    open311 = Client().get(f"/open311/v2/requests/{case.number}.json").content.decode()
    assert case.number in open311 and "Zeppelin" not in open311
    assert found(works_client, "zeppelin") == [] and found(works_client, "bakery") == []


def test_a_deleted_follow_up_leaves_the_description_of_the_first_message(works_client, world, case):
    from civicdesk.testing.social import deliver, social_message
    conversation_key = case.conversations.get().thread_key
    account = case.conversations.get().account
    deliver(social_message(Channel.MASTODON, "@rosa@social.example", "Also a marmalade jar in it",
                           key=conversation_key, account=account, pid="toot-2"))
    assert found(works_client, "marmalade") == [case.number]
    author(Channel.MASTODON, "toot-2", deleted=True)
    case.refresh_from_db()
    assert case.description == WORDS
    assert found(works_client, "marmalade") == [] and found(works_client, "zeppelin") == [case.number]


def test_the_spanish_status_page_says_deleted_in_spanish(case):
    author(Channel.MASTODON, "toot-1", deleted=True)
    browser = Client(HTTP_ACCEPT_LANGUAGE="es")
    session = browser.session
    session[VERIFIED_SESSION_KEY] = [case.public_id]
    session.save()
    browser.cookies["django_language"] = "es"
    html = flat(browser.get(f"/status/{case.public_id}/").content.decode())
    assert "Eliminado por su autor el" in html
