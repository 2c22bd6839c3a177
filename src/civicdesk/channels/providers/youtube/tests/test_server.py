"""The local YouTube Data API server answers google-api-python-client as Google documents: its discovery document,
keys and OAuth tokens, paging, and quota counted per project like Google (failed calls cost a unit too)."""

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from civicdesk.channels.providers.youtube.tests.server import API_KEY, OUR_CHANNEL, YouTubeServer


def test_a_client_built_from_the_servers_discovery_document_lists_threads(youtube_server: YouTubeServer) -> None:
    youtube_server.add_comment("Hello from the river trail.")
    api = build("youtube", "v3", developerKey=API_KEY, static_discovery=False, cache_discovery=False,
                discoveryServiceUrl=f"{youtube_server.url}/discovery/v1/apis/youtube/v3/rest",
                http=httplib2.Http(timeout=5))
    page = api.commentThreads().list(part="snippet", allThreadsRelatedToChannelId=OUR_CHANNEL).execute()
    assert page["kind"] == "youtube#commentThreadListResponse"
    [item] = page["items"]
    assert item["snippet"]["topLevelComment"]["snippet"]["textDisplay"] == "Hello from the river trail."
    assert "textOriginal" not in item["snippet"]["topLevelComment"]["snippet"]  # only for the author
    assert youtube_server.quota_used() == 1


def test_a_wrong_key_is_refused_and_a_bad_request_costs_one_unit(youtube_server: YouTubeServer) -> None:
    def api(key: str):  # noqa: ANN202
        return build("youtube", "v3", developerKey=key, static_discovery=True, cache_discovery=False,
                     client_options={"api_endpoint": youtube_server.url + "/"}, http=httplib2.Http(timeout=5))

    with pytest.raises(HttpError) as refused:
        api("wrong-key").commentThreads().list(part="snippet", allThreadsRelatedToChannelId=OUR_CHANNEL).execute()
    assert refused.value.resp.status == 400 and refused.value.reason.startswith("API key not valid")
    with pytest.raises(HttpError) as bad:
        api(API_KEY).commentThreads().list(part="snippet", allThreadsRelatedToChannelId=OUR_CHANNEL,
                                           pageToken="not-a-token").execute()
    assert bad.value.resp.status == 400 and youtube_server.quota_used() == 1
    with pytest.raises(HttpError) as write:
        api(API_KEY).comments().insert(part="snippet", body={"snippet": {"parentId": "x", "textOriginal": "y"}}
                                       ).execute()
    assert write.value.resp.status == 401  # replies need OAuth
