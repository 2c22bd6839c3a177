"""The case page's sidebar saves in place (htmx) or by POST/redirect, tags are case-insensitive, service and location
changes say what happened, a merged-away case refuses every change, and photos come as thumbnails."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from PIL import Image

from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.cases import actions
from civicdesk.cases.models import Case, CaseStatus, Tag, normalize_tag_name
from civicdesk.channels.events import InboundAttachment
from civicdesk.testing.factories import create_case

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def case(world):
    return create_case(service=world.pothole, subject="Pothole on Main", body="Big one", email="ann@example.com")


def post(client, case, action, data, **kwargs):
    return client.post(f"/staff/cases/{case.number}/{action}/", data, **kwargs)


def png(width=800, height=600, colour="red"):
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def test_a_status_saved_with_htmx_answers_with_the_sidebar_and_a_confirmation(works_client, world, case):
    response = post(works_client, case, "status", {"status": "in_progress"}, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="case-summary" class="cd-sidebar"' in html
    assert '<div id="sidebar-status" hx-swap-oob="innerHTML">' in html and "Saved: status In progress" in html
    assert '<option value="in_progress" selected>' in html
    assert "<html" not in html and "case-timeline" not in html  # a fragment, not the page
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.audit.get(action=AuditAction.STATUS_CHANGED).actor == world.works_agent


def test_without_javascript_a_save_redirects_to_the_sidebar_and_confirms_once(works_client, case):
    response = post(works_client, case, "priority", {"priority": "high"})
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.number}/#case-details"
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    region = '<div id="sidebar-status" class="cd-sidebar-status" role="status"><p class="cd-notice">'
    assert f"{region}Saved: priority High" in page
    assert "Saved: priority High" not in works_client.get(f"/staff/cases/{case.number}/").content.decode()


def test_the_case_page_has_one_compact_sidebar_and_the_rare_actions_behind_a_disclosure(works_client, case):
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    for form in ("status-form", "priority-form", "assign-form", "service-form", "tags-form", "location-form"):
        assert f'id="{form}"' in page and 'hx-target="#case-summary"' in page
    assert page.count('hx-trigger="change delay:300ms, submit"') == 4  # the selects save on change
    more = page.index("More actions: transfer, link, merge")
    assert page.index('id="transfer-form"') > more and page.index('id="merge-form"') > more
    assert "<script>" not in page and "style=" not in page


def test_assignment_saves_both_fields_and_says_who(works_client, world, case):
    response = post(works_client, case, "assign", {"assignee": world.works_agent2.pk, "team": world.works_team.pk},
                    headers=HTMX)
    assert response.status_code == 200 and "Saved: assignee walt, team Road crew" in response.content.decode()


def test_an_invalid_save_with_htmx_shows_the_error_in_the_sidebar(works_client, case):
    response = post(works_client, case, "status", {"status": "deleted"}, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not saved." in html and "cd-notice--error" in html and 'role="alert"' in html
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


@pytest.mark.parametrize("raw, name", [("Lane Blocked", "lane-blocked"), ("  lane_blocked ", "lane-blocked"),
                                       ("LANE--blocked", "lane-blocked"), ("Straße", "strasse"), (" - ", "")])
def test_a_tag_has_one_spelling(raw, name):
    assert normalize_tag_name(raw) == name


def test_tags_are_case_insensitive_when_added_removed_and_flagged(works_client, case):
    assert post(works_client, case, "tags", {"add": "Lane Blocked, VIP"}, headers=HTMX).status_code == 200
    response = post(works_client, case, "tags", {"add": "lane-blocked"}, headers=HTMX)
    assert "Saved: tags lane-blocked, vip" in response.content.decode()
    assert sorted(case.tags.values_list("name", flat=True)) == ["lane-blocked", "vip"]
    assert Tag.objects.filter(name__icontains="lane").count() == 1
    response = post(works_client, case, "tags", {"remove": "Lane Blocked"}, headers=HTMX)
    assert "Saved: tags vip" in response.content.decode()
    assert list(case.tags.values_list("name", flat=True)) == ["vip"]
    actions.flag_case(case, "VIP", reason="test")
    assert list(case.tags.values_list("name", flat=True)) == ["vip"]
    assert Tag.objects.create(name="Storm Damage").name == "storm-damage"
    assert post(works_client, case, "tags", {"tags": ""}).status_code == 302  # the whole list, as before
    assert not case.tags.exists()


def test_the_migration_merges_tag_spellings_without_losing_a_case(world):
    migration = importlib.import_module("civicdesk.cases.migrations.0014_tag_names_case_insensitive")
    cases = [create_case(service=world.pothole, subject=f"Case {i}", email=f"t{i}@example.com") for i in range(4)]
    spellings = Tag.objects.bulk_create([Tag(name="Lane Blocked"), Tag(name="lane_blocked"), Tag(name="VIP"),
                                         Tag(name="lane-blocked")])  # bulk_create skips save(): old spellings
    cases[0].tags.add(spellings[0])
    cases[1].tags.add(spellings[1], spellings[2])
    cases[2].tags.add(spellings[0], spellings[3])
    migration.merge_tag_spellings(django_apps, None)
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["lane-blocked", "vip"]
    lane = Tag.objects.get(name="lane-blocked")
    assert lane.pk == spellings[0].pk  # the oldest spelling's row is kept
    assert set(lane.cases.all()) == {cases[0], cases[1], cases[2]}
    assert list(cases[1].tags.order_by("name").values_list("name", flat=True)) == ["lane-blocked", "vip"]
    assert not cases[3].tags.exists()


def test_a_service_change_is_audited_and_never_reroutes_silently(works_client, world, case):
    response = post(works_client, case, "service", {"service": world.tree.pk}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert ("Saved: service Fallen Tree. That service belongs to Parks and Recreation, but the case stays with "
            "Public Works") in html
    case.refresh_from_db()
    assert case.service == world.tree and case.agency == world.works
    entry = case.audit.filter(action=AuditAction.FIELD_CHANGED).latest("id")
    assert entry.before == {"service": "pothole"} and entry.after == {"service": "fallen-tree"}
    assert "stays with Public Works" in entry.reason
    response = post(works_client, case, "service", {"service": 999999}, headers=HTMX)
    assert response.status_code == 400
    assert post(works_client, case, "service", {}, headers=HTMX).status_code == 400  # no choice is not "none"
    response = post(works_client, case, "service", {"service": ""}, headers=HTMX)
    assert response.status_code == 200
    assert "Saved: no service. The case stays with Public Works." in response.content.decode()


def test_a_location_change_routes_again_and_says_where_the_case_went(works_client, world, case):
    response = post(works_client, case, "location", {"address": "100 Main St", "lat": "40.0", "lon": "-75.0"},
                    headers=HTMX)
    assert response.status_code == 200
    assert "Saved: location. Routing by the new location" in response.content.decode()
    case.refresh_from_db()
    assert (case.lat, case.lon, case.address) == (40.0, -75.0, "100 Main St")
    assert case.audit.filter(action=AuditAction.LOCATION_CHANGED).exists()
    response = post(works_client, case, "location", {"address": "x", "lat": "40.0", "lon": ""}, headers=HTMX)
    assert response.status_code == 400 and "Give both the latitude and the longitude" in response.content.decode()
    response = post(works_client, case, "location", {"address": "x", "lat": "", "lon": ""}, headers=HTMX)
    assert response.status_code == 400 and "keeps a map point" in response.content.decode()
    response = post(works_client, case, "location", {"lat": "400", "lon": "-75"}, headers=HTMX)
    assert response.status_code == 400


def test_an_address_alone_is_saved_for_a_case_without_a_point(works_client, case):
    response = post(works_client, case, "location", {"address": "Corner of 3rd and Elm"}, headers=HTMX)
    assert response.status_code == 200 and "was not routed again" in response.content.decode()
    case.refresh_from_db()
    assert case.address == "Corner of 3rd and Elm" and case.lat is None
    entries = case.audit.count()
    assert post(works_client, case, "location", {"address": "Corner of 3rd and Elm"}).status_code == 302
    assert post(works_client, case, "location", {}).status_code == 400
    assert case.audit.count() == entries


@pytest.fixture
def merged(world, case):
    duplicate = create_case(service=world.pothole, subject="Same pothole", body="Also here", email="bo@example.com")
    actions.merge_cases(duplicate, case, actor=world.works_agent)
    duplicate.refresh_from_db()
    return duplicate


def test_a_merged_away_case_is_read_only_and_points_to_the_survivor(works_client, case, merged):
    page = works_client.get(f"/staff/cases/{merged.number}/").content.decode()
    assert "Merged: this case is read-only" in page and f'href="/staff/cases/{case.number}/"' in page
    assert "This case was merged into" in page
    for absent in ('id="reply-form"', 'id="note-form"', 'id="status-form"', 'id="tags-form"', "More actions",
                   "Likely duplicates", "/merge-into/"):
        assert absent not in page


@pytest.mark.parametrize("action, data", [
    ("reply", {"text": "hi"}), ("note", {"text": "hi"}), ("status", {"status": "open"}),
    ("priority", {"priority": "high"}), ("assign", {"assignee": ""}), ("tags", {"add": "x"}),
    ("service", {"service": ""}), ("location", {"lat": "40", "lon": "-75"}),
    ("transfer", {"to_agency": "1", "reason": "x"}), ("link", {"number": "CD-2000-000001"}),
    ("merge", {"number": "CD-2000-000001"}),
])
def test_every_action_on_a_merged_away_case_is_refused_with_a_clear_message(works_client, case, merged, action, data):
    before = (AuditEntry.objects.count(), merged.messages.count(), case.messages.count())
    response = post(works_client, merged, action, data)
    assert response.status_code == 409
    assert f"{merged.number} was merged into {case.number} and is read-only" in response.content.decode()
    response = post(works_client, merged, action, data, headers=HTMX)
    assert response.status_code == 409 and "Nothing was changed." in response.content.decode()
    assert (AuditEntry.objects.count(), merged.messages.count(), case.messages.count()) == before


def test_other_ways_to_change_a_merged_away_case_refuse_it_too(works_client, world, case, merged):
    response = works_client.post(f"/staff/relocate/{merged.number}/", {"lat": "40", "lon": "-75"}, follow=True)
    assert response.status_code == 200 and "is read-only" in response.content.decode()
    assert works_client.post(f"/open311/forward/{merged.number}/", {"endpoint": "1"}).status_code == 409
    with pytest.raises(actions.CaseMerged):
        actions.change_status(merged, actor=world.works_agent, status="open")
    merged.refresh_from_db()
    assert merged.lat is None and merged.status == CaseStatus.CLOSED


def test_photos_are_thumbnails_with_alt_text_that_open_the_whole_photo(works_client, parks_client, world):
    case = create_case(service=world.pothole, subject="With photo", email="ph@example.com",
                       attachments=[InboundAttachment("hole.png", "image/png", png()),
                                    InboundAttachment("notes.txt", "text/plain", b"hello"),
                                    InboundAttachment("broken.png", "image/png", b"\x89PNG not really")])
    page = works_client.get(f"/staff/cases/{case.number}/").content.decode()
    photo, _, broken = case.messages.get(direction="in").attachments.order_by("pk")
    assert "Photos (2)" in page
    assert f'src="/staff/attachments/{photo.pk}/?size=thumb" alt="Photo hole.png from the resident' in page
    assert 'loading="lazy"' in page and f'data-photo-full="/staff/attachments/{photo.pk}/"' in page
    thumb = works_client.get(f"/staff/attachments/{photo.pk}/?size=thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) == 240
    whole = works_client.get(f"/staff/attachments/{broken.pk}/?size=thumb")
    assert whole.status_code == 200 and whole["Content-Type"] == "image/png"  # no thumbnail: the file itself
    assert parks_client.get(f"/staff/attachments/{photo.pk}/?size=thumb").status_code == 404
    assert Case.objects.count() == 1


def test_the_api_refuses_changes_to_a_merged_away_case(world, case, merged):
    from django.test import Client

    from civicdesk.api.actions import create_token

    token = create_token(world.works_agent, name="t").raw
    client = Client(headers={"Authorization": f"Bearer {token}"})
    response = client.post(f"/api/cases/{merged.number}/status", {"status": "open"}, content_type="application/json")
    assert response.status_code == 409 and case.number in response.content.decode()
