"""The admin issues a key (shown once, only its hash kept), revokes keys, and lists endpoints and forwards."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from civicdesk.open311 import keys
from civicdesk.open311.models import ApiKey

pytestmark = pytest.mark.django_db


def test_admin_issues_a_key_once_and_revokes_it(admin_client, city):
    response = admin_client.post(reverse("admin:open311_apikey_add"), {
        "app_name": "Pothole Pal", "contact": "dev@pal.example", "rate_limit": "5"})
    assert response.status_code == 302, response.content
    shown = " ".join(str(m) for m in get_messages(response.wsgi_request))
    raw = re.search(r"o311_\S+", shown)[0]
    api_key = ApiKey.objects.get()
    assert (api_key.app_name, api_key.rate_limit, api_key.key_hash != raw) == ("Pothole Pal", 5, True)
    assert keys.authenticate(raw) == api_key
    change = reverse("admin:open311_apikey_change", args=[api_key.pk])
    assert raw in admin_client.get(change).content.decode()  # the one page that shows the message
    assert raw not in admin_client.get(change).content.decode()

    response = admin_client.post(reverse("admin:open311_apikey_changelist"), {
        "action": "revoke", "_selected_action": [api_key.pk]})
    assert response.status_code == 302
    api_key.refresh_from_db()
    assert api_key.is_revoked and api_key.revoked_at is not None
    with pytest.raises(keys.Open311Error, match="revoked"):
        keys.authenticate(raw)


@pytest.mark.parametrize("model", ["apikey", "externalendpoint", "forwardedcase"])
def test_admin_pages_render(admin_client, model):
    assert admin_client.get(reverse(f"admin:open311_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:open311_{model}_add")).status_code in (200, 403)
