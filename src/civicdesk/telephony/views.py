"""Twilio's voice webhooks of one of our numbers: the call's answer (TwiML), then the recording and transcription
callbacks, each signature-checked like SMS before anything is stored; a refused request stores nothing.

The answer reads the account with its agency and the agency's schedule (two queries) and never fails: on an error
on our side the caller hears an apology. The callbacks are stored raw (channel "phone") and processed by the
pipeline in the background.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from civicdesk.calendars.business_time import is_open
from civicdesk.calendars.queries import schedule_for
from civicdesk.channels.actions import count_rejection
from civicdesk.channels.credentials import CredentialsError
from civicdesk.channels.models import Channel, ChannelAccount, Provider, RejectionReason
from civicdesk.channels.payloads import store_payload
from civicdesk.channels.providers.twilio.adapter import SIGNATURE_SETTINGS_HEADER, verify_request
from civicdesk.channels.providers.twilio.endpoints import Endpoint, endpoint_url
from civicdesk.channels.registry import AccountConfig
from civicdesk.channels.signatures import TWILIO_SIGNATURE_HEADER
from civicdesk.channels.webhooks import KEPT_HEADERS
from civicdesk.core.jobs import PROCESS_PAYLOAD, enqueue_on_commit
from civicdesk.telephony import greeting

log = logging.getLogger(__name__)
TWIML = "text/xml; charset=utf-8"


class Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _twiml(text: str) -> HttpResponse:
    return HttpResponse(text, content_type=TWIML)


def verified_account(request: HttpRequest, account_id: int) -> ChannelAccount:
    """The active Twilio account of the URL, its agency joined, once the request's signature is checked."""
    account = (ChannelAccount.objects.select_related("agency")
               .filter(pk=account_id, provider=Provider.TWILIO, is_active=True).first())
    if account is None:
        raise Refused(404)
    body = request.body
    if len(body) > settings.WEBHOOK_MAX_BODY_BYTES:
        count_rejection(account, RejectionReason.TOO_LARGE)
        raise Refused(413)
    if not request.headers.get(TWILIO_SIGNATURE_HEADER):
        count_rejection(account, RejectionReason.MISSING_SIGNATURE)
        raise Refused(403)
    try:
        config = AccountConfig.of(account)
    except CredentialsError:
        log.error("Voice webhook for channel account %s: its credentials cannot be read", account.pk)
        raise Refused(503) from None
    url = settings.SITE_URL.rstrip("/") + request.get_full_path()
    try:
        verified = verify_request(url, request.headers, body, config)
    except Exception as exc:  # a malformed body or header is a failed verification
        log.warning("Voice webhook for channel account %s: %s", account.pk, type(exc).__name__)
        verified = False
    if not verified:
        count_rejection(account, RejectionReason.BAD_SIGNATURE)
        raise Refused(403)
    return account


@csrf_exempt
@require_POST
def answer_call(request: HttpRequest, account_id: int) -> HttpResponse:
    """The call's first request: the agency's greeting in both languages (open or closed now), then voicemail."""
    try:
        account = verified_account(request, account_id)
    except Refused as refused:
        return HttpResponse(status=refused.status)
    except Exception:
        log.exception("Voice answer for channel account %s failed before the greeting", account_id)
        return _twiml(greeting.apology())
    try:
        agency = account.agency
        names = {"en": agency.name, "es": agency.text("name", "es") or agency.name}
        callbacks = greeting.Callbacks(recording=endpoint_url(account, Endpoint.RECORDING),
                                       transcription=endpoint_url(account, Endpoint.TRANSCRIPTION))
        open_now = is_open(schedule_for(agency.pk), timezone.now())
        return _twiml(greeting.answer(names, open_now=open_now, callbacks=callbacks))
    except Exception:
        log.exception("Voice answer for channel account %s failed", account.pk)
        return _twiml(greeting.apology())


def _store(request: HttpRequest, account: ChannelAccount, endpoint: str) -> None:
    """Keep the callback raw and queue it for the pipeline (once: a retry of the same callback is not stored
    again)."""
    kept = (*KEPT_HEADERS, SIGNATURE_SETTINGS_HEADER)
    headers = {name: request.headers[name] for name in kept if name in request.headers}
    meta = {"transport": "webhook", "account_id": account.pk, "provider": account.provider, "endpoint": endpoint,
            "agency": account.agency.slug, "headers": headers}
    with transaction.atomic():
        payload, created = store_payload(Channel.PHONE, request.body, meta=meta,
                                         content_type=request.content_type or "")
        if created:
            enqueue_on_commit(PROCESS_PAYLOAD, payload.pk)


def _callback(request: HttpRequest, account_id: int, endpoint: str, answer: str) -> HttpResponse:
    try:
        account = verified_account(request, account_id)
    except Refused as refused:
        return HttpResponse(status=refused.status)
    _store(request, account, endpoint)  # a failure here is a 500: Twilio retries, nothing is lost
    return _twiml(answer)


@csrf_exempt
@require_POST
def recording(request: HttpRequest, account_id: int) -> HttpResponse:
    """The <Record> action (the caller left a message) and the recording status callback; the caller hears
    thanks and the call ends."""
    return _callback(request, account_id, Endpoint.RECORDING, greeting.farewell())


@csrf_exempt
@require_POST
def transcription(request: HttpRequest, account_id: int) -> HttpResponse:
    """Twilio's transcript of the voicemail (or word that it failed)."""
    return _callback(request, account_id, Endpoint.TRANSCRIPTION, greeting.empty())
