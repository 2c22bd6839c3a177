"""The Instagram channel (and identity kind, and the hidden-comment audit action) in the choice lists."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('channels', '0007_account_contract_confirmation'),
    ]

    operations = [
        migrations.AlterField(
            model_name='channelaccount',
            name='channel',
            field=models.CharField(choices=[('web', 'Web portal'), ('email', 'Email'), ('sms', 'SMS'), ('phone', 'Phone'), ('open311', 'Open311'), ('x', 'X'), ('facebook', 'Facebook'), ('instagram', 'Instagram'), ('mastodon', 'Mastodon'), ('bluesky', 'Bluesky'), ('youtube', 'YouTube'), ('chat', 'Live chat'), ('internal', 'Internal')], max_length=20, verbose_name='channel'),
        ),
        migrations.AlterField(
            model_name='inboundpayload',
            name='channel',
            field=models.CharField(choices=[('web', 'Web portal'), ('email', 'Email'), ('sms', 'SMS'), ('phone', 'Phone'), ('open311', 'Open311'), ('x', 'X'), ('facebook', 'Facebook'), ('instagram', 'Instagram'), ('mastodon', 'Mastodon'), ('bluesky', 'Bluesky'), ('youtube', 'YouTube'), ('chat', 'Live chat'), ('internal', 'Internal')], max_length=20),
        ),
    ]
