"""People on a local PDS, driven by the `atproto` SDK as the Bluesky app would: accounts, app passwords, posts with
mention facets, replies, deletions and handle changes."""

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from atproto import Client, models
from atproto_client.utils import facet_detection

T = TypeVar("T")


@dataclass
class Person:
    client: Client
    handle: str
    password: str

    @property
    def did(self) -> str:
        return str(self.client._session.did)  # type: ignore[union-attr]

    def app_password(self, name: str = "civicdesk", privileged: bool = True) -> str:
        """An app password (privileged: with access to direct messages), as Settings > App passwords makes one."""
        made = self.client.com.atproto.server.create_app_password(
            models.ComAtprotoServerCreateAppPassword.Data(name=name, privileged=privileged))
        return str(made.password)

    def post(self, text: str, *, mentions: dict[str, str] | None = None,
             reply_to: tuple[str, str] | None = None, root: tuple[str, str] | None = None) -> tuple[str, str]:
        """A post (its uri and cid); `mentions` maps each @handle in the text to its DID, made a mention facet."""
        facets = []
        for found in facet_detection.detect_mentions(text):
            did = (mentions or {}).get(found.handle)
            if did:
                facets.append(models.AppBskyRichtextFacet.Main(
                    features=[models.AppBskyRichtextFacet.Mention(did=did)],
                    index=models.AppBskyRichtextFacet.ByteSlice(byte_start=found.byte_start, byte_end=found.byte_end)))
        reply = None
        if reply_to is not None:
            parent = models.ComAtprotoRepoStrongRef.Main(uri=reply_to[0], cid=reply_to[1])
            top = models.ComAtprotoRepoStrongRef.Main(uri=root[0], cid=root[1]) if root else parent
            reply = models.AppBskyFeedPost.ReplyRef(parent=parent, root=top)
        made = self.client.send_post(text, facets=facets or None, reply_to=reply, profile_identify=self.did)
        return str(made.uri), str(made.cid)

    def delete(self, uri: str) -> None:
        self.client.delete_post(uri)

    def rename(self, handle: str) -> None:
        self.client.com.atproto.identity.update_handle(models.ComAtprotoIdentityUpdateHandle.Data(handle=handle))
        self.handle = handle

    def record(self, uri: str) -> Any:
        """A post's record as the PDS holds it (com.atproto.repo.getRecord): what was really written."""
        repo, collection, rkey = uri.removeprefix("at://").split("/")
        return self.client.com.atproto.repo.get_record(
            models.ComAtprotoRepoGetRecord.Params(repo=repo, collection=collection, rkey=rkey))


def create_person(pds: str, handle: str) -> Person:
    password = f"pw-{handle}-0123456789"
    client = Client(base_url=pds)
    client.com.atproto.server.create_account(models.ComAtprotoServerCreateAccount.Data(
        handle=handle, email=f"{handle.replace('.', '-')}@people.example", password=password))
    client.login(handle, password, fetch_bsky_profile=False)
    return Person(client, handle, password)


def wait_for(check: Callable[[], T | None], *, seconds: float = 20.0, every: float = 0.3) -> T:
    """Call `check` until it returns something truthy (the AppView indexes the PDS's events a moment later)."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"Nothing came within {seconds} s")
        time.sleep(every)
