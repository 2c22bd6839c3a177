"""Step 3 of 3: every mailbox has its account; the fields the account now holds leave the mailbox."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mail', '0004_mailboxes_into_accounts'),
    ]

    operations = [
        migrations.AlterField(
            model_name='mailbox',
            name='account',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='mailbox',
                                       to='channels.channelaccount'),
        ),
        migrations.RemoveField(model_name='mailbox', name='address'),
        migrations.RemoveField(model_name='mailbox', name='agency'),
        migrations.RemoveField(model_name='mailbox', name='display_name'),
        migrations.RemoveField(model_name='mailbox', name='imap_last_uid'),
        migrations.RemoveField(model_name='mailbox', name='imap_password'),
        migrations.RemoveField(model_name='mailbox', name='imap_uidvalidity'),
        migrations.RemoveField(model_name='mailbox', name='is_active'),
    ]
