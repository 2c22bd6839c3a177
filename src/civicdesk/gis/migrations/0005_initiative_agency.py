# Initiatives belong to an agency (empty: city-wide), so supervisors create and change their own in the staff UI.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0005_service_location_mode'),
        ('gis', '0004_area_type_foreign_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='initiative',
            name='agency',
            field=models.ForeignKey(blank=True, help_text='Empty: a city-wide initiative, which only administrators change.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='initiatives', to='agencies.agency', verbose_name='agency'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='area',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='initiatives', to='gis.area', verbose_name='area'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='description',
            field=models.TextField(blank=True, verbose_name='description'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='end',
            field=models.DateField(blank=True, null=True, verbose_name='end'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='name',
            field=models.CharField(max_length=200, verbose_name='name'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='services',
            field=models.ManyToManyField(blank=True, related_name='+', to='agencies.service', verbose_name='services'),
        ),
        migrations.AlterField(
            model_name='initiative',
            name='start',
            field=models.DateField(verbose_name='start'),
        ),
    ]
