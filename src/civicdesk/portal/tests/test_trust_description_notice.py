"""Where a service publishes descriptions, the portal form says so before the resident writes one."""

import pytest

pytestmark = pytest.mark.django_db

NOTICE = "Everyone can read this description"


def test_the_form_warns_that_a_published_description_is_public(client, service):
    service.publish_description = True
    service.save()
    page = client.get(f"/services/{service.code}/").content.decode()
    assert NOTICE in page and "leave out your name, phone number" in page


def test_the_form_of_a_service_that_keeps_descriptions_private_has_no_such_warning(client, service):
    assert not service.publish_description
    assert NOTICE not in client.get(f"/services/{service.code}/").content.decode()
