"""X: the Account Activity / X Activity webhook of one agency account (CRC on GET, signed POSTs), parsing, replies."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext

from civicdesk.channels.events import InboundEvent, InboundMessage, Visibility, event_digest
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError, PermanentSendError
from civicdesk.channels.providers.x import contract, parsing, sender
from civicdesk.channels.providers.x.signing import MAX_CRC_TOKEN, SIGNATURE_HEADER, crc_response, valid_signature
from civicdesk.channels.providers.x.simulation import simulated_event


def credentials_of(config: Any) -> Mapping[str, str]:
    """An AccountConfig's credentials (or a contract fixture's plain {"credentials": {...}} dict)."""
    if isinstance(config, Mapping):
        found = config.get("credentials", config)
        return found if isinstance(found, Mapping) else {}
    return getattr(config, "credentials", {}) or {}


def header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), "")
    return str(value or "").strip()


def account_facts(meta: dict[str, Any]) -> tuple[str, str]:
    """The X user id of the account the payload came in on and its agency's slug (from the meta of a test fixture,
    else the account's row)."""
    if meta.get("x_user_id"):
        return str(meta["x_user_id"]), str(meta.get("agency", ""))
    account_id = meta.get("account_id")
    if not isinstance(account_id, int):
        return "", ""
    found = ChannelAccount.objects.filter(pk=account_id).values_list("address", "agency__slug").first()
    return (str(found[0]), str(found[1])) if found else ("", "")


class XAdapter(ChannelAdapter):
    """One agency's X account (a ChannelAccount of provider "x", its address the numeric X user id)."""

    channel = Channel.X
    capabilities = Capabilities(max_length=280, public_replies=True)
    signature_header = SIGNATURE_HEADER
    challenge_content_type = "application/json"

    def receives(self, account: Any) -> bool:
        """The hook answers 404 while the connector is off or no administrator confirmed the Enterprise contract."""
        return contract.may_receive(account)

    def challenge(self, query: Mapping[str, str], config: Any) -> str | None:
        """X's CRC: GET ?crc_token=... answered with the token's HMAC under the consumer secret."""
        token = query.get("crc_token", "")
        secret = credentials_of(config).get("consumer_secret", "")
        if not token or not secret or len(token) > MAX_CRC_TOKEN:
            return None
        return crc_response(secret, token)

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: Any) -> bool:
        return valid_signature(credentials_of(config).get("consumer_secret", ""), body,
                               header(headers, SIGNATURE_HEADER))

    def simulate(self, config: Any, text: str, kind: str) -> Any:
        return simulated_event(config, text, kind)

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        return parsing.first_id(raw) or super().provider_message_id(raw, meta)

    def content_hash(self, raw: bytes, meta: dict[str, Any]) -> str:
        """A payload of one message hashes like that message inside a batch: the same post delivered alone and
        in a batch is one message (each event is deduplicated on its own id and values)."""
        try:  # a batch (no single id) is hashed by its bytes at once: only a one-event payload is parsed here
            events = self.parse(raw, meta) if parsing.first_id(raw) else []
        except ParseError:
            events = []
        if len(events) == 1 and isinstance(events[0], InboundMessage):
            return event_digest(events[0])
        return super().content_hash(raw, meta)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        if not raw.strip():
            raise ParseError("The X webhook body is empty.")
        return parsing.events_of(raw, meta, *account_facts(meta))

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        """A reply post to the resident's latest post in the thread, or a direct message; X allows nothing else."""
        if not contract.connector_enabled():
            raise PermanentSendError(str(contract.DISABLED))
        if account is None:
            raise PermanentSendError(gettext("No X account is connected for this conversation, so the reply cannot "
                                             "be sent."))
        token = credentials_of(account).get("access_token", "")
        if not token:
            raise PermanentSendError(gettext("The X account has no access token: an administrator must connect it "
                                             "again."))
        text = message.text.strip()
        if not text:
            raise PermanentSendError(gettext("An empty reply cannot be sent."))
        account_id = getattr(account, "id", None)
        if message.visibility == Visibility.PUBLIC:
            if not message.in_reply_to:
                raise PermanentSendError(gettext("X allows the agency to post a reply only to a post that mentions "
                                                 "it; this reply answers no post."))
            return sender.reply_post(account_id, token, text, message.in_reply_to)
        participant = message.to.strip().lstrip("@")
        if not participant.isdigit():
            raise PermanentSendError(gettext("A direct message on X goes to a user id; this resident has none."))
        return sender.direct_message(account_id, token, text, participant)
