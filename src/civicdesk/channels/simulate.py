"""`civicdesk channels simulate NETWORK --account ID --text "…"`: an event shaped and signed exactly as the network
would send it, through the same entry point, so the demo city shows every channel with no internet.

An adapter offers `simulate(config, text, kind) -> SimulatedWebhook | SimulatedPull`:
- a network that pushes gets a signed request posted to the one webhook entry (in process, through Django's own
  request handling, so the signature check, the raw store and the job are the real ones);
- a network that is polled or streamed gets its payload stored as a poll or stream would store it.
"""

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host
from django.test import Client

from civicdesk.channels import spool
from civicdesk.channels.models import ChannelAccount, InboundPayload
from civicdesk.channels.pulling import PulledPayload, store_pulled
from civicdesk.channels.registry import AccountConfig, adapter_for_account

KINDS = ("message", "mention", "comment")  # a direct message, a public mention, a comment on our post


@dataclass
class SimulatedWebhook:
    """A request as the network would send it to our hook (path after /hooks/<provider>/<id>/, e.g. "sms")."""

    body: bytes
    headers: dict[str, str] = field(default_factory=dict)  # including the signature
    endpoint: str = ""
    content_type: str = "application/json"
    query: str = ""  # for a GET challenge; empty: a POST


@dataclass
class SimulatedPull:
    """A payload as a poll or a stream of the network would fetch it."""

    payloads: list[PulledPayload]
    transport: str = "poll"


@runtime_checkable
class SimulatingAdapter(Protocol):
    def simulate(self, config: AccountConfig, text: str, kind: str) -> "SimulatedWebhook | SimulatedPull":
        """An event of `kind` carrying `text`, from a made-up resident, signed with the account's own secret."""


@dataclass
class Outcome:
    status: int  # the webhook's HTTP status, or 200 for a stored pull
    stored: int  # payloads stored (0: a repeat, or refused)
    detail: str = ""


def simulate(account: ChannelAccount, text: str, kind: str = "message") -> Outcome:
    """Send one simulated event for `account`; raises LookupError when its adapter cannot simulate."""
    adapter = adapter_for_account(account)
    if not isinstance(adapter, SimulatingAdapter):
        raise LookupError(f"The {account.provider} adapter cannot simulate events.")
    config = AccountConfig.of(account)
    event = adapter.simulate(config, text, kind)
    if isinstance(event, SimulatedPull):
        stored = store_pulled(account.pk, account.channel, event.payloads, transport=event.transport)
        return Outcome(status=200, stored=stored)
    return _post(account, event)


def _host(site_host: str) -> str:
    """A Host header the site accepts: the public one when allowed (the signature covers SITE_URL either way)."""
    if site_host and validate_host(site_host.split(":")[0], settings.ALLOWED_HOSTS):
        return site_host
    named = [host.lstrip(".") for host in settings.ALLOWED_HOSTS if host not in ("*", "")]
    return named[0] if named else "localhost"


def _post(account: ChannelAccount, event: SimulatedWebhook) -> Outcome:
    site = urlsplit(settings.SITE_URL)
    path = f"/hooks/{account.provider}/{account.pk}/" + (f"{event.endpoint.strip('/')}/" if event.endpoint else "")
    client = Client(HTTP_HOST=_host(site.netloc))
    client.defaults["wsgi.url_scheme"] = site.scheme or "http"
    headers: dict[str, Any] = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in event.headers.items()
                               if name.lower() != "content-type"}
    if event.query:
        response = client.get(f"{path}?{event.query}", **headers)
        return Outcome(status=response.status_code, stored=0, detail=response.content.decode(errors="replace"))
    before = _received(account.channel)
    response = client.post(path, data=event.body, content_type=event.content_type, **headers)
    return Outcome(status=response.status_code, stored=_received(account.channel) - before)


def _received(channel: str) -> int:
    """Payloads stored so far: the channel's in the table, and any waiting in the inbound spool (channels/spool.py),
    where a webhook puts them when a batch worker empties it."""
    return InboundPayload.objects.filter(channel=channel).count() + spool.pending()
