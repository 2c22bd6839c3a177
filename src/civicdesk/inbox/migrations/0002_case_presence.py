# Who has a case page open: one row per browser tab, kept while its heartbeats arrive (issue #10, item 12).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_initial"),
        ("inbox", "0001_saved_view"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CasePresence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("tab", models.CharField(help_text="A random id the page picks, so two tabs are two rows.",
                                         max_length=40)),
                ("state", models.CharField(choices=[("viewing", "viewing"), ("replying", "replying"),
                                                    ("noting", "writing an internal note")],
                                           default="viewing", max_length=10)),
                ("seen_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField(db_index=True)),
                ("case", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to="cases.case")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                           to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("case", "user", "tab"),
                                                        name="case_presence_once_per_tab")],
            },
        ),
    ]
