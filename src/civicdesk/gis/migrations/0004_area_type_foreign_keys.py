"""Area.type and RoutingRule.area_type become foreign keys to AreaType; the columns keep their names and slugs."""

import django.db.models.deletion

import civicdesk.gis.models
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("gis", "0003_areatype"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="area",
            options={"ordering": ["type_id", "name", "id"]},
        ),
        migrations.AlterField(
            model_name="area",
            name="type",
            field=civicdesk.gis.models.AreaTypeKey(db_column="type", on_delete=django.db.models.deletion.PROTECT, related_name="areas", to="gis.areatype", to_field="slug"),
        ),
        migrations.AlterField(
            model_name="routingrule",
            name="area_type",
            field=civicdesk.gis.models.AreaTypeKey(db_column="area_type", on_delete=django.db.models.deletion.PROTECT, related_name="+", to="gis.areatype", to_field="slug"),
        ),
    ]
