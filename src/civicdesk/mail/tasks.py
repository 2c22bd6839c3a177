"""Background jobs of the email channel: polling agency mailboxes over IMAP."""

import logging

from django_tasks import task

from civicdesk.mail import actions
from civicdesk.mail.models import Mailbox

log = logging.getLogger(__name__)


@task(queue_name="mail")
def poll_mailbox(mailbox_id: int) -> dict[str, int | str]:
    """Fetch new mail of one mailbox; each message is stored and queued for processing."""
    mailbox = (Mailbox.objects.select_related("account").filter(pk=mailbox_id, account__is_active=True)
               .exclude(imap_host="").first())
    if mailbox is None:
        return {"fetched": 0, "stored": 0, "error": "no active IMAP mailbox with this id"}
    result = actions.poll_mailbox(mailbox)
    return {"fetched": result.fetched, "stored": result.stored, "error": result.error}


@task(queue_name="mail")
def poll_all_mailboxes() -> int:
    """Queue a poll of every active mailbox that has IMAP settings; the scheduler runs this periodically."""
    ids = list(Mailbox.objects.filter(account__is_active=True).exclude(imap_host="").values_list("pk", flat=True))
    for mailbox_id in ids:
        poll_mailbox.enqueue(mailbox_id)
    return len(ids)
