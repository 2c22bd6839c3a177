"""The plain-value OutboundMessage of an outbound Message row: every database read happens here, before send()."""

from civicdesk.cases.models import Direction, Message
from civicdesk.channels.events import Visibility
from civicdesk.channels.models import Channel, ChannelAccount
from civicdesk.channels.outbound import OutboundAttachment, OutboundMessage
from civicdesk.conversations.models import Conversation
from civicdesk.core import prefetch
from civicdesk.mail.outbound import MAX_DISPLAY_NAME, safe_header_text
from civicdesk.mail.queries import mailbox_for_agency, thread_ids

# Channels whose replies go out from one of our accounts (a Twilio number, a page, a handle): the conversation's,
# else the agency's.
ACCOUNT_CHANNELS = (Channel.SMS, Channel.FACEBOOK, Channel.INSTAGRAM, Channel.X, Channel.MASTODON, Channel.BLUESKY,
                    Channel.YOUTUBE)
# What a job sending many messages reads ahead for each (conversations.delivery_lookahead), by core.prefetch kind.
SENDING_ACCOUNT = "sending_account"
HAS_ATTACHMENTS = "has_attachments"
# Channels whose replies continue a thread on the network: the post answered and the conversation's visibility.
SOCIAL_CHANNELS = (Channel.FACEBOOK, Channel.INSTAGRAM, Channel.X, Channel.MASTODON, Channel.BLUESKY, Channel.YOUTUBE)


def sending_account(message: Message) -> ChannelAccount | None:
    """The account a reply on an account channel (SMS) goes out from: the one the resident wrote to on this case,
    else the latest they wrote to, else the case agency's first active account on the channel; None elsewhere."""
    if message.channel not in ACCOUNT_CHANNELS:
        return None
    known = prefetch.take(SENDING_ACCOUNT, message.pk)  # read ahead for a job sending many (delivery_lookahead)
    if known is not prefetch.MISS:
        account: ChannelAccount = known
        return account
    talks = (Conversation.objects.select_related("account")
             .filter(channel=message.channel, account__isnull=False, account__is_active=True,
                     identity__value=message.recipient).order_by("-last_inbound_at", "-id"))
    found = (talks.filter(case_id=message.case_id).first() if message.case_id else None) or talks.first()
    if found is not None:
        return found.account
    if message.case is None:  # an automatic text to a number with no case (a STOP confirmation) found none above
        return None
    return (ChannelAccount.objects.filter(channel=message.channel, agency_id=message.case.agency_id, is_active=True)
            .order_by("pk").first())


def outbound_for(message: Message, account: ChannelAccount | None = None) -> OutboundMessage:
    """What the channel's adapter sends for `message`: recipient, our sender, text and thread references.

    Email: From is the agency's active mailbox (display name, else the agency's name; the site's default address
    without a mailbox), In-Reply-To the resident's latest Message-ID on the case, References the case's chain.
    A public update copied to a follower carries no thread ids: never the reporter's Message-IDs.
    SMS: From is our number on `account` (sending_account).
    Social networks: in_reply_to is the resident's latest post or message on the conversation (social_thread), the
    visibility and conversation key those of the conversation (a public mention is answered in public, a DM by DM),
    and last_inbound_at when they last wrote there (Meta's reply windows).
    """
    sender, sender_name, in_reply_to = (account.address if account is not None else ""), "", ""
    references: tuple[str, ...] = ()
    visibility: str = Visibility.PUBLIC if message.is_public else Visibility.PRIVATE
    thread_key, last_inbound_at = "", None
    if message.channel in SOCIAL_CHANNELS and account is not None:
        conversation, in_reply_to = social_thread(message, account)
        if conversation is not None:  # a reply to a mention stays public, one to a direct message private
            visibility, thread_key = conversation.visibility, conversation.thread_key
            last_inbound_at = conversation.last_inbound_at
    if message.channel == Channel.EMAIL:
        sender, sender_name = _mailbox_sender(message)
        if not message.update_of_id and message.case is not None:
            in_reply_to, chain = thread_ids(message.case, exclude_message=message.pk)
            references = tuple(chain)
    return OutboundMessage(
        to=message.recipient,
        sender=sender,
        sender_name=sender_name,
        text=message.body_text,
        subject=message.subject,
        message_id=message.email_message_id,
        in_reply_to=in_reply_to,
        references=references,
        conversation_key=thread_key,
        last_inbound_at=last_inbound_at,
        visibility=visibility,
        automatic=message.is_automatic,
        reference=str(message.pk or ""),
        attachments=_attachments(message),
    )


def social_thread(message: Message, account: ChannelAccount) -> tuple[Conversation | None, str]:
    """The conversation a social reply continues on `account` (the resident's latest on the case, as
    sending_account picks it) and the provider id of their latest message there: the post a reply answers."""
    talks = (Conversation.objects.filter(account=account, identity__value=message.recipient)
             .order_by("-last_inbound_at", "-id"))
    conversation = (talks.filter(case_id=message.case_id).first() if message.case_id else None) or talks.first()
    if conversation is None or conversation.case_id is None:
        return conversation, ""
    latest = (Message.objects.filter(case_id=conversation.case_id, channel=message.channel,
                                     direction=Direction.INBOUND, sender_identity_id=conversation.identity_id)
              .filter(deleted_by_author_at__isnull=True).exclude(provider_message_id="").order_by("-created_at", "-id")
              .values_list("provider_message_id", flat=True).first())
    return conversation, latest or ""


def _attachments(message: Message) -> tuple[OutboundAttachment, ...]:
    """The files staff attached to the reply (read here, before send()); a follower's copy of an update has none."""
    if message.pk is None or message.update_of_id or prefetch.take(HAS_ATTACHMENTS, message.pk) is False:
        return ()
    files = []
    for attachment in message.attachments.order_by("pk"):
        with attachment.file.open("rb") as handle:
            files.append(OutboundAttachment(attachment.filename, attachment.content_type, handle.read()))
    return tuple(files)


def _mailbox_sender(message: Message) -> tuple[str, str]:
    if message.case is None:
        return "", ""
    mailbox = mailbox_for_agency(message.case.agency_id)
    if mailbox is None:
        return "", ""
    usable = safe_header_text(mailbox.display_name, MAX_DISPLAY_NAME)
    return mailbox.address, mailbox.display_name if usable else mailbox.agency.name
