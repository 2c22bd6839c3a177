"""Background job of notifications: the email of one notification, sent once (if the recipient still wants it)."""

import logging

from django_tasks import task

from civicdesk.channels.protocol import CapturedNotSent, PermanentSendError
from civicdesk.core.jobs import SEND_NOTIFICATION_EMAIL, enqueue
from civicdesk.mail.outbound import send_email
from civicdesk.notifications import actions, queries, texts
from civicdesk.notifications.models import Delivery, EmailState

log = logging.getLogger(__name__)


@task(queue_name="email")
def send_notification_email(notification_id: int) -> str:
    """Claim the notification's pending email (a repeated job finds nothing to claim), then send it unless the
    recipient wants email only when away and is at the desk now. Addresses never reach the log."""
    notification = actions.claim_email(notification_id)
    if notification is None:
        return "nothing to send"
    if notification.delivery == Delivery.AWAY and not queries.is_away(notification.recipient_id):
        actions.finish_email(notification, EmailState.AT_DESK)
        return EmailState.AT_DESK
    if "@" not in (notification.recipient.email or "") or not notification.recipient.is_active:
        actions.finish_email(notification, EmailState.NO_ADDRESS)
        return EmailState.NO_ADDRESS
    try:
        send_email(texts.outbound_email(notification))
    except CapturedNotSent:  # no EMAIL_HOST: kept in the built-in outbox
        actions.finish_email(notification, EmailState.CAPTURED)
        return EmailState.CAPTURED
    except PermanentSendError as exc:
        log.warning("The email of notification %s was refused: %s", notification.pk, type(exc).__name__)
        actions.finish_email(notification, EmailState.FAILED)
        return EmailState.FAILED
    except Exception as exc:  # the mail server is away or deferred it: try again later
        log.warning("The email of notification %s failed (attempt %s): %s", notification.pk,
                    notification.email_attempts, type(exc).__name__)
        retry_at = actions.email_attempt_failed(notification)
        if retry_at is not None and send_notification_email.get_backend().supports_defer:
            enqueue(SEND_NOTIFICATION_EMAIL, notification.pk, run_after=retry_at)
        return "retrying" if retry_at is not None else EmailState.FAILED
    actions.finish_email(notification, EmailState.SENT)
    return EmailState.SENT
