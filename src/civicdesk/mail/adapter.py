"""The email channel adapter: RFC 5322 messages in, SMTP replies out."""

from typing import Any

from django.conf import settings

from civicdesk.channels.events import (
    DeliveryOutcome,
    DeliveryReport,
    Ignored,
    InboundEvent,
    InboundMessage,
    SenderIdentity,
)
from civicdesk.channels.models import Channel
from civicdesk.channels.outbound import Capabilities, OutboundMessage
from civicdesk.channels.protocol import ChannelAdapter, ParseError
from civicdesk.contacts.models import IdentityKind
from civicdesk.gis.coords import find_coordinates
from civicdesk.mail import parsing
from civicdesk.mail.attachments import collect_parts, forwarded_text, to_attachments
from civicdesk.mail.autoreply import automatic_reason
from civicdesk.mail.bounces import read_bounce
from civicdesk.mail.htmltext import html_to_text, sanitize_html
from civicdesk.mail.notices import OversizeError
from civicdesk.mail.outbound import send_email
from civicdesk.mail.queries import mailbox_for
from civicdesk.mail.quoting import visible_text

HTML_LIMIT_FACTOR = 5  # HTML carries markup, so it may be this many times longer than the text limit


class EmailAdapter(ChannelAdapter):
    channel = Channel.EMAIL
    capabilities = Capabilities(subjects=True, attachments=True)  # plain text replies; no length limit

    def provider_message_id(self, raw: bytes, meta: dict[str, Any]) -> str:
        return parsing.provider_message_id(raw)

    def parse(self, raw: bytes, meta: dict[str, Any]) -> list[InboundEvent]:
        """One event per mail: a message; or, for automatic mail, a delivery report (a bounce of one of ours) or
        Ignored (an auto-reply, a delay notice). Never a case or a reply to a machine."""
        message = parsing.parse_bytes(raw)
        auto = automatic_reason(message, meta)
        if auto:
            return [self._automatic(message, raw, auto)]
        return [self._message(message, raw, meta)]

    def _automatic(self, message: Any, raw: bytes, reason: str) -> InboundEvent:
        pid = parsing.provider_message_id(raw)
        bounce = read_bounce(message)
        if bounce is not None and bounce.message_ids:
            return DeliveryReport(channel=self.channel, provider_message_id=pid, about=bounce.message_ids,
                                  outcome=DeliveryOutcome.FAILED, error=bounce.reason, at=parsing.sent_at(message))
        return Ignored(channel=self.channel, provider_message_id=pid, reason=reason)

    def _message(self, message: Any, raw: bytes, meta: dict[str, Any]) -> InboundMessage:
        display_name, address = parsing.sender_of(message)
        subject = parsing.one_line(parsing.header_text(message, "Subject"))
        parts = collect_parts(message)
        plain, raw_html = parsing.body_texts(parts)
        forwarded = [forwarded_text(inner, self._inner_text(inner)) for inner in parts.forwarded]
        if not plain.strip() and raw_html.strip():
            plain = html_to_text(raw_html)
        text = "\n\n".join(chunk for chunk in [plain.strip(), *forwarded] if chunk)
        attachments = to_attachments(parts.attachments)
        mailbox = mailbox_for(parsing.candidate_recipients(message, meta))
        if mailbox is None and meta.get("mailbox_id"):
            from civicdesk.mail.models import Mailbox

            mailbox = Mailbox.objects.select_related("account__agency").filter(pk=meta["mailbox_id"]).first()
        own_ids = parsing.message_ids(parsing.raw_header(message, "Message-ID"))
        total = sum(len(a.content) for a in attachments)
        if total > settings.MAX_ATTACHMENTS_BYTES:
            raise OversizeError(
                total=total, limit=settings.MAX_ATTACHMENTS_BYTES, reply_to=address,
                message_id=own_ids[0] if own_ids else "", mailbox_address=mailbox.address if mailbox else "",
                mailbox_name=(mailbox.display_name or mailbox.agency.name) if mailbox else "",
                files=sorted(((a.filename, len(a.content)) for a in attachments), key=lambda f: -f[1]),
            )
        limit = settings.MAX_TEXT_LENGTH
        refs = parsing.message_ids(parsing.raw_header(message, "In-Reply-To"))
        refs += [ref for ref in parsing.message_ids(parsing.raw_header(message, "References")) if ref not in refs]
        visible = visible_text(text, subject)
        point = find_coordinates(f"{subject}\n{visible}")  # a geo: URI, map link or "lat, lon" routes by location
        return InboundMessage(
            channel=self.channel,
            provider_message_id=parsing.provider_message_id(raw),
            sender=SenderIdentity(IdentityKind.EMAIL, address, display_name) if address else None,
            contact_name=display_name,
            subject=subject[:300],
            body_text=parsing.truncate(text, limit),
            body_html=sanitize_html(raw_html[:limit * HTML_LIMIT_FACTOR]) if raw_html.strip() else "",
            visible_text=parsing.truncate(visible, limit),
            attachments=attachments,
            email_message_id=own_ids[0] if own_ids else "",
            thread_refs=refs[-50:],
            recipient=mailbox.address if mailbox else "",
            agency_slug=mailbox.agency.slug if mailbox else "",
            lat=point[0] if point else None,
            lon=point[1] if point else None,
            sent_at=parsing.sent_at(message),
        )

    @staticmethod
    def _inner_text(inner: Any) -> str:
        plain, html = parsing.body_texts(collect_parts(inner))
        return plain.strip() or html_to_text(html)

    def quarantined(self, payload: Any, error: ParseError) -> None:
        if isinstance(error, OversizeError):
            from civicdesk.mail.actions import answer_oversize  # mail.actions imports the channel pipeline

            answer_oversize(payload, error)

    def send(self, message: OutboundMessage, account: Any = None) -> str:
        return send_email(message)
