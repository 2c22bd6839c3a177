"""The one webhook entry, /hooks/<provider>/<account_id>/[<endpoint>/]: the GET verification challenge, and POSTs
verified over the raw bytes before anything is stored, then stored raw, answered 200 and queued for processing by name
(or, where `civicdesk run` starts the inbound batch worker, left in the payload table, which is its queue: see
conversations/batch.py).

An adapter may refuse an account entirely (`receives(account)` False: 404, as for a disabled account).
An adapter that receives several kinds of callback on one account (Twilio: incoming texts, status callbacks) lists
the endpoint paths it accepts in `endpoints` ("" is the bare hook); the endpoint is stored in the payload's
meta["endpoint"] for parse(). An adapter may also give the 200's body (`acknowledgement`, with
`acknowledgement_content_type`): Twilio expects TwiML."""

import logging
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from civicdesk.channels import account_cache, spool
from civicdesk.channels.actions import count_rejection, note_error
from civicdesk.channels.models import ChannelAccount, RejectionReason
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.registry import AccountConfig, adapter_for_account, get_adapter
from civicdesk.core.jobs import PROCESS_PAYLOAD, enqueue_with_transaction, payloads_are_queued

log = logging.getLogger(__name__)

# Transport headers kept with a stored payload (never a signature, a token or a cookie); an adapter adds its own.
KEPT_HEADERS = ("Content-Type", "User-Agent", "I-Twilio-Idempotency-Token", "X-Request-Id")


@runtime_checkable
class WebhookAdapter(Protocol):
    """What an adapter offers to receive webhooks (added to ChannelAdapter by the providers that push)."""

    signature_header: str  # the request header carrying the signature; missing: 401

    def challenge(self, query: Mapping[str, str], config: AccountConfig) -> str | None:
        """The answer to the provider's GET verification (e.g. Meta's hub.challenge), or None: 403."""

    def verify(self, url: str, headers: Mapping[str, str], body: bytes, config: AccountConfig) -> bool:
        """Whether the signature in `headers` matches the raw `body` (and `url`, for schemes that sign it)."""


def accepts_endpoint(adapter: object, endpoint: str) -> bool:
    """Whether the adapter receives callbacks on this path after its hook (every adapter receives the bare one)."""
    return endpoint in getattr(adapter, "endpoints", ("",))


def receives(adapter: object, account: ChannelAccount) -> bool:
    """Whether the adapter takes this account's traffic at all; an adapter may say no (`receives(account)`), e.g. X
    while its connector is off or no administrator has confirmed the contract X requires: the hook answers 404."""
    check = getattr(adapter, "receives", None)
    return True if check is None else bool(check(account))


def webhook_url(account: ChannelAccount) -> str:
    """The address to give the provider: SITE_URL (what the provider signs, behind any proxy) and the hook path."""
    return f"{settings.SITE_URL.rstrip('/')}/hooks/{account.provider}/{account.pk}/"


def _refused(account: ChannelAccount, reason: str, status: int) -> HttpResponse:
    count_rejection(account, reason)
    return HttpResponse(status=status)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def hook(request: HttpRequest, provider: str, account_id: int, endpoint: str = "") -> HttpResponse:
    found = account_cache.active_account(provider, account_id)  # read once per process, until it changes
    if found is None:
        return HttpResponse(status=404)
    account, config = found
    try:
        adapter = adapter_for_account(account)
        get_adapter(account.channel)  # the payload store and the pipeline need the channel's adapter too
    except LookupError:
        return HttpResponse(status=404)
    if not isinstance(adapter, WebhookAdapter):
        return HttpResponse(status=404)  # this provider does not push to us (it is polled, or has its own entry)
    if not receives(adapter, account):
        return HttpResponse(status=404)  # the provider is switched off for this account (X without its contract)
    if not accepts_endpoint(adapter, endpoint):
        return HttpResponse(status=404)
    if config is None:
        log.error("Webhook for channel account %s: its credentials cannot be read", account.pk)
        note_error(account.pk, gettext("A webhook request arrived but the account's credentials cannot be read (check "
                                       "CHANNEL_CREDENTIALS_KEY or the environment variables it names)."))
        return HttpResponse(status=503)  # the provider retries; an operator fixes the key
    if request.method == "GET":
        return _challenge(request, account, adapter, config)
    return _receive(request, account, adapter, config, endpoint)


def _challenge(request: HttpRequest, account: ChannelAccount, adapter: WebhookAdapter,
               config: AccountConfig) -> HttpResponse:
    try:
        answer = adapter.challenge({name: request.GET.get(name, "") for name in request.GET}, config)
    except Exception as exc:  # garbage in the query string is a refusal, never a 500
        log.warning("Webhook challenge for channel account %s failed: %s", account.pk, type(exc).__name__)
        answer = None
    if answer is None:
        return _refused(account, RejectionReason.BAD_CHALLENGE, 403)
    content_type = getattr(adapter, "challenge_content_type", "text/plain")
    return HttpResponse(answer, content_type=content_type)


def _receive(request: HttpRequest, account: ChannelAccount, adapter: WebhookAdapter,
             config: AccountConfig, endpoint: str = "") -> HttpResponse:
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _refused(account, RejectionReason.TOO_LARGE, 413)
    try:
        body = request.body
    except RequestDataTooBig:
        return _refused(account, RejectionReason.TOO_LARGE, 413)
    if len(body) > limit:
        return _refused(account, RejectionReason.TOO_LARGE, 413)
    if not request.headers.get(adapter.signature_header):  # 401, or the adapter's own answer (Twilio: 403)
        return _refused(account, RejectionReason.MISSING_SIGNATURE, getattr(adapter, "missing_signature_status", 401))
    url = settings.SITE_URL.rstrip("/") + request.get_full_path()
    try:
        verified = adapter.verify(url, request.headers, body, config)
    except Exception as exc:  # a malformed body or header is a failed verification
        log.warning("Webhook verification for channel account %s failed: %s", account.pk, type(exc).__name__)
        verified = False
    if not verified:
        return _refused(account, RejectionReason.BAD_SIGNATURE, 403)
    kept = (*KEPT_HEADERS, *getattr(adapter, "meta_headers", ()))
    headers = {name: request.headers[name] for name in kept if name in request.headers}
    meta = {"transport": "webhook", "account_id": account.pk, "provider": account.provider, "headers": headers}
    if endpoint:
        meta["endpoint"] = endpoint
    provider_id = _provider_id(adapter, body, meta)
    if spool.enabled():  # SQLite: into the spool's own file, never waiting for the main database's write lock
        spool.append(account.channel, body, meta=meta, content_type=request.content_type or "",
                     provider_message_id=provider_id)
        return acknowledgement(adapter)
    if payloads_are_queued():  # the payload table is the queue (the batch worker): one INSERT, no job row
        store_payload(account.channel, body, meta=meta, content_type=request.content_type or "",
                      provider_message_id=provider_id)
        return acknowledgement(adapter)
    with transaction.atomic():
        payload, created = store_payload(account.channel, body, meta=meta, content_type=request.content_type or "",
                                         provider_message_id=provider_id)
        if created:  # the job row commits with the payload (one write transaction), or after it
            enqueue_with_transaction(PROCESS_PAYLOAD, payload.pk)
    return acknowledgement(adapter)


def acknowledgement(adapter: object) -> HttpResponse:
    """The 200 answer: the adapter's own body (Twilio's empty TwiML) or an empty one."""
    body = getattr(adapter, "acknowledgement", "")
    if not body:
        return HttpResponse(status=200)
    return HttpResponse(body, content_type=getattr(adapter, "acknowledgement_content_type", "text/plain"))


def _provider_id(adapter: WebhookAdapter, body: bytes, meta: dict[str, object]) -> str:
    """The account adapter's cheap id for the body ("" lets the store use the channel adapter's)."""
    reader = getattr(adapter, "provider_message_id", None)
    if reader is None:
        return ""
    try:
        return str(reader(body, meta))
    except Exception:  # an unreadable body still gets stored, under its hash
        return ""
