"""The Instagram channel (and identity kind, and the hidden-comment audit action) in the choice lists."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0005_identity_display'),
    ]

    operations = [
        migrations.AlterField(
            model_name='identity',
            name='kind',
            field=models.CharField(choices=[('email', 'Email'), ('phone', 'Phone (E.164)'), ('x', 'X handle'), ('facebook', 'Facebook id'), ('instagram', 'Instagram id'), ('mastodon', 'Mastodon account'), ('bluesky', 'Bluesky handle'), ('youtube', 'YouTube channel'), ('open311_account', 'Open311 account or device id')], max_length=20),
        ),
    ]
