"""Step 2 of 3: one email ChannelAccount per Mailbox, with its agency, address, display name, active flag, IMAP
cursor (uidvalidity and last UID) and IMAP password (encrypted with CHANNEL_CREDENTIALS_KEY, or the key derived
from SECRET_KEY). Backwards, the values are copied back onto the mailboxes and the accounts deleted."""

import base64
import hashlib
import json

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.db import migrations


def _fernet() -> MultiFernet:
    # The same key rule as civicdesk.channels.credentials, frozen here so this migration never changes meaning.
    configured = [k.strip() for k in (getattr(settings, "CHANNEL_CREDENTIALS_KEY", "") or "").split(",") if k.strip()]
    if configured:
        return MultiFernet([Fernet(k.encode()) for k in configured])
    digest = hashlib.sha256(("civicdesk.channels.credentials:" + settings.SECRET_KEY).encode()).digest()
    return MultiFernet([Fernet(base64.urlsafe_b64encode(digest))])


def forwards(apps, schema_editor):
    Mailbox = apps.get_model("mail", "Mailbox")
    ChannelAccount = apps.get_model("channels", "ChannelAccount")
    fernet = None
    for mailbox in Mailbox.objects.filter(account__isnull=True).order_by("pk").iterator():
        token = ""
        if mailbox.imap_password:
            fernet = fernet or _fernet()
            token = fernet.encrypt(json.dumps({"password": mailbox.imap_password}).encode()).decode()
        cursor = {"imap_uidvalidity": mailbox.imap_uidvalidity, "imap_last_uid": mailbox.imap_last_uid}
        account = ChannelAccount.objects.create(
            channel="email", provider="email", agency_id=mailbox.agency_id, address=mailbox.address,
            display_name=mailbox.display_name, is_active=mailbox.is_active, encrypted_credentials=token,
            cursor=cursor,
        )
        Mailbox.objects.filter(pk=mailbox.pk).update(account=account)


def backwards(apps, schema_editor):
    Mailbox = apps.get_model("mail", "Mailbox")
    ChannelAccount = apps.get_model("channels", "ChannelAccount")
    fernet = None
    for mailbox in Mailbox.objects.filter(account__isnull=False).select_related("account").order_by("pk"):
        account = mailbox.account
        password = ""
        if account.encrypted_credentials:
            fernet = fernet or _fernet()
            password = json.loads(fernet.decrypt(account.encrypted_credentials.encode())).get("password", "")
        Mailbox.objects.filter(pk=mailbox.pk).update(
            account=None, agency_id=account.agency_id, address=account.address, display_name=account.display_name,
            is_active=account.is_active, imap_password=password,
            imap_uidvalidity=int(account.cursor.get("imap_uidvalidity", 0)),
            imap_last_uid=int(account.cursor.get("imap_last_uid", 0)),
        )
        ChannelAccount.objects.filter(pk=account.pk).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0003_channel_accounts'),
        ('mail', '0003_mailbox_account'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
