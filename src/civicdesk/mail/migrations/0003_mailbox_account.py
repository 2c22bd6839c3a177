"""Step 1 of 3 of mailboxes becoming email accounts: the (for now optional) link to the account."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0003_channel_accounts'),
        ('mail', '0002_sender_notice'),
    ]

    operations = [
        migrations.AddField(
            model_name='mailbox',
            name='account',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='mailbox',
                                       to='channels.channelaccount'),
        ),
    ]
