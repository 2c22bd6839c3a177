"""Agencies' weekly hours moved to their business calendars (calendars 0002)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0007_business_hours'),
        ('calendars', '0002_move_business_hours'),
    ]

    operations = [
        migrations.DeleteModel(
            name='BusinessHours',
        ),
    ]
