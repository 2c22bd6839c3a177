"""`civicdesk channels add youtube` and `civicdesk channels simulate youtube --kind comment`."""

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from civicdesk.cases.models import Case
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.providers.youtube.tests.server import OUR_CHANNEL
from civicdesk.conversations.pipeline import process
from civicdesk.testing.factories import create_agency

pytestmark = pytest.mark.django_db


def test_adding_a_channel_stores_its_oauth_credentials_encrypted(capsys: Any) -> None:
    create_agency("parks", "Parks and Recreation")
    call_command("channels", "add", "youtube", "--agency", "parks", "--channel-id", OUR_CHANNEL,
                 "--client-id", "1234-abc.apps.googleusercontent.com", "--client-secret", "GOCSPX-secret-value",
                 "--oauth-refresh-token", "1//refresh-token-value", "--name", "Parks on YouTube")
    account = ChannelAccount.objects.get()
    assert (account.provider, account.channel, account.address) == ("youtube", "youtube", OUR_CHANNEL)
    assert account.credentials()["refresh_token"] == "1//refresh-token-value"
    assert "1//refresh-token-value" not in account.encrypted_credentials
    out = capsys.readouterr().out
    assert "polls the channel" in out and "GOCSPX" not in out


def test_adding_a_channel_by_environment_prefix_keeps_only_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    create_agency("parks", "Parks and Recreation")
    monkeypatch.setenv("YOUTUBE_PARKS_API_KEY", "AIzaSy-env-key-0000")
    call_command("channels", "add", "youtube", "--agency", "parks", "--channel-id", OUR_CHANNEL,
                 "--credentials-env", "youtube_parks")
    account = ChannelAccount.objects.get()
    assert account.credentials_ref == "env:YOUTUBE_PARKS" and not account.encrypted_credentials
    assert account.credentials() == {"api_key": "AIzaSy-env-key-0000"}


@pytest.mark.parametrize(("arguments", "message"), [
    (["--channel-id", "not-a-channel", "--api-key", "AIzaSy-key-0000"], "UC"),
    (["--channel-id", OUR_CHANNEL], "OAuth client id"),
    (["--channel-id", OUR_CHANNEL, "--oauth-refresh-token", "1//only-the-token"], "all three"),
])
def test_adding_a_channel_with_bad_options_says_why(arguments: list[str], message: str) -> None:
    create_agency("parks", "Parks and Recreation")
    with pytest.raises(CommandError, match=message):
        call_command("channels", "add", "youtube", "--agency", "parks", *arguments)
    assert not ChannelAccount.objects.exists()


def test_a_simulated_comment_is_stored_as_the_api_returns_a_thread_and_becomes_a_case(
        account: ChannelAccount, capsys: Any) -> None:
    call_command("channels", "simulate", "youtube", "--account", str(account.pk), "--kind", "comment",
                 "--text", "The splash pad at Riverside Park is leaking.")
    assert "stored, and queued" in capsys.readouterr().out
    payload = InboundPayload.objects.get()
    item = json.loads(bytes(payload.raw))
    assert item["kind"] == "youtube#commentThread" and item["id"] == item["snippet"]["topLevelComment"]["id"]
    assert set(item["snippet"]) == {"channelId", "videoId", "topLevelComment", "canReply", "totalReplyCount",
                                    "isPublic"}
    assert payload.meta["account_id"] == account.pk and payload.meta["transport"] == "poll"
    process(payload)
    case = Case.objects.get()
    assert case.agency.slug == "parks" and case.channel == "youtube"
