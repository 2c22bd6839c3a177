"""The channel account admin: credentials write-only (never listed, never rendered back), the webhook URL shown."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from civicdesk.channels.models import Channel, ChannelAccount, Provider, WebhookRejection
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db
SECRET = "tok-very-secret-42"


def form(agency_id: int, **changes: Any) -> dict[str, Any]:
    return {"channel": Channel.SMS, "provider": Provider.TWILIO, "agency": agency_id, "display_name": "Main",
            "address": "+15005550006", "is_active": "on", "credentials_ref": "", "cursor": "{}",
            "new_credentials": f"auth_token={SECRET}", "webhook_rejections-TOTAL_FORMS": "0",
            "webhook_rejections-INITIAL_FORMS": "0", **changes}


def test_credentials_are_stored_encrypted_and_never_shown_back(admin_client: Any) -> None:
    agency = create_agency("311", "311")
    response = admin_client.post(reverse("admin:channels_channelaccount_add"), form(agency.pk))
    assert response.status_code == 302, response.content
    account = ChannelAccount.objects.get()
    assert account.credentials() == {"auth_token": SECRET}
    change = reverse("admin:channels_channelaccount_change", args=[account.pk])
    page = admin_client.get(change).content.decode()
    assert SECRET not in page and account.encrypted_credentials not in page
    assert f"/hooks/twilio/{account.pk}/" in page
    listing = admin_client.get(reverse("admin:channels_channelaccount_changelist")).content.decode()
    assert "+15005550006" in listing and SECRET not in listing and account.encrypted_credentials not in listing


def test_an_empty_credentials_field_keeps_them_and_clear_deletes_them(admin_client: Any) -> None:
    agency = create_agency("311", "311")
    admin_client.post(reverse("admin:channels_channelaccount_add"), form(agency.pk))
    account = ChannelAccount.objects.get()
    change = reverse("admin:channels_channelaccount_change", args=[account.pk])
    assert admin_client.post(change, form(agency.pk, new_credentials="", display_name="Renamed")).status_code == 302
    account.refresh_from_db()
    assert account.display_name == "Renamed" and account.credentials() == {"auth_token": SECRET}
    assert admin_client.post(change, form(agency.pk, new_credentials="", clear_credentials="on")).status_code == 302
    account.refresh_from_db()
    assert account.encrypted_credentials == "" and account.credentials() == {}


def test_a_provider_and_channel_that_do_not_match_are_refused(admin_client: Any) -> None:
    agency = create_agency("311", "311")
    response = admin_client.post(reverse("admin:channels_channelaccount_add"), form(agency.pk, channel=Channel.EMAIL))
    assert response.status_code == 200 and not ChannelAccount.objects.exists()


def test_rejections_are_visible_to_admins(admin_client: Any) -> None:
    account = ChannelAccount.objects.create(channel=Channel.SMS, provider=Provider.TWILIO,
                                            agency=create_agency("311", "311"), address="+15005550006")
    now = timezone.now()
    WebhookRejection.objects.create(account=account, reason="bad_signature", count=7, first_at=now, last_at=now)
    listing = admin_client.get(reverse("admin:channels_webhookrejection_changelist")).content.decode()
    assert "Signature does not match" in listing and ">7<" in listing
