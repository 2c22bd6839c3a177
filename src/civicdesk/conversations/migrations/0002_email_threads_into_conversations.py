"""Existing mail threads become conversations: one per case and address the resident wrote from (the key the
pipeline uses), on the email account of the mailbox the mail arrived at. Re-running adds nothing twice."""

from typing import Any

from django.db import migrations
from django.db.models import Max, Min

BATCH = 500


def email_threads_into_conversations(apps: Any, schema_editor: Any) -> None:
    Message = apps.get_model("cases", "Message")
    Conversation = apps.get_model("conversations", "Conversation")
    ChannelAccount = apps.get_model("channels", "ChannelAccount")
    accounts = {address.lower(): pk for pk, address in
                ChannelAccount.objects.filter(channel="email").exclude(address="").values_list("pk", "address")}
    threads = (Message.objects.filter(direction="in", channel="email", sender_identity__isnull=False)
               .values("case_id", "sender_identity_id")
               .annotate(first=Min("created_at"), last=Max("created_at"), recipient=Max("recipient"),
                         contact_id=Max("sender_identity__contact_id"))
               .order_by("case_id", "sender_identity_id"))
    batch = []
    for row in threads.iterator(chunk_size=BATCH):
        batch.append(Conversation(
            account_id=accounts.get((row["recipient"] or "").lower()), channel="email",
            thread_key=f"case-{row['case_id']}/identity-{row['sender_identity_id']}",
            contact_id=row["contact_id"], identity_id=row["sender_identity_id"], case_id=row["case_id"],
            visibility="private", last_inbound_at=row["last"], created_at=row["first"]))
        if len(batch) >= BATCH:
            Conversation.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Conversation.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("conversations", "0001_conversations"),
        ("mail", "0005_mailbox_account_required"),
    ]

    operations = [migrations.RunPython(email_threads_into_conversations, migrations.RunPython.noop)]
