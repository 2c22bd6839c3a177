"""DemoAccount marks the logins seed-demo created; databases seeded before it get their demo logins marked."""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import migrations, models

# The usernames seed-demo has always created (civicdesk.demo.data.STAFF), frozen here for this migration.
DEMO_USERNAMES = ["admin", "supervisor.311", "agent.311", "supervisor.publicworks", "agent.publicworks",
                  "agent.transportation", "agent.parks", "agent.sanitation", "agent.housing", "agent.police"]
DEMO_PASSWORD = "demo"


def mark_existing_demo_logins(apps: Any, schema_editor: Any) -> None:
    """A demo username at @riverbend.example whose password is still 'demo' is a demo login; nothing else is."""
    user_model = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    demo_account = apps.get_model("demo", "DemoAccount")
    db = schema_editor.connection.alias
    for user in user_model.objects.using(db).filter(username__in=DEMO_USERNAMES):
        if user.email == f"{user.username}@riverbend.example" and check_password(DEMO_PASSWORD, user.password):
            demo_account.objects.using(db).get_or_create(user=user)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DemoAccount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("removed_at", models.DateTimeField(blank=True, help_text="When remove-demo-staff deactivated it.",
                                                    null=True)),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="demo_account", to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.RunPython(mark_existing_demo_logins, migrations.RunPython.noop),
    ]
