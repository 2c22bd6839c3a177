"""Public ids, private-by-default messages, follower copies of public updates and follower opt-outs.

- Case.public_id: added nullable without a default (so SQLite adds the column in place and keeps the FTS triggers
  of 0002 and the indexes of 0003), backfilled with random ids, then unique through a partial unique index.
- Message.origin_case: where a merged message was written, so a merged case's resident sees only their own.
- Message.is_public now means "a public update staff chose to publish". Until now every inbound message and every
  reply was created public, so no existing message is known to be meant for the public: all become private.
  Staff publish updates from here on (the demo seeds its own).
"""

import secrets

import django.db.models.deletion
from django.db import migrations, models

import civicdesk.cases.models

ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"
BATCH = 2000


def backfill_public_ids(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    db = schema_editor.connection.alias
    seen: set[str] = set()
    while True:
        pks = list(Case.objects.using(db).filter(public_id__isnull=True).order_by("pk").values_list("pk", flat=True)
                   [:BATCH])
        if not pks:
            break
        for pk in pks:
            public_id = "".join(secrets.choice(ALPHABET) for _ in range(20))
            while public_id in seen:
                public_id = "".join(secrets.choice(ALPHABET) for _ in range(20))
            seen.add(public_id)
            Case.objects.using(db).filter(pk=pk).update(public_id=public_id)


def origins_of_merged_messages(apps, schema_editor):
    """Messages a merge moved: the case they came from is unknown for old merges, except one level deep when the
    duplicate's resident wrote them (their contact is the duplicate's contact)."""
    Case = apps.get_model("cases", "Case")
    Message = apps.get_model("cases", "Message")
    db = schema_editor.connection.alias
    for duplicate in Case.objects.using(db).filter(merged_into__isnull=False).exclude(contact=None).iterator():
        Message.objects.using(db).filter(case_id=duplicate.merged_into_id, contact_id=duplicate.contact_id,
                                         origin_case=None).update(origin_case=duplicate.pk)


def messages_private(apps, schema_editor):
    Message = apps.get_model("cases", "Message")
    Message.objects.using(schema_editor.connection.alias).filter(is_public=True).update(is_public=False)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_message_sender_identity"),
        ("contacts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AddField(
                model_name="case", name="public_id",
                field=models.CharField(blank=True, editable=False, max_length=32, null=True),
            )],
            state_operations=[migrations.AddField(
                model_name="case", name="public_id",
                field=models.CharField(
                    blank=True, default=civicdesk.cases.models.new_public_id, editable=False,
                    help_text="Random id of the case's public URLs and of its Open311 service_request_id.",
                    max_length=32, null=True),
            )],
        ),
        migrations.RunPython(backfill_public_ids, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="case",
            constraint=models.UniqueConstraint(condition=models.Q(("public_id__isnull", False)), fields=("public_id",),
                                               name="case_public_id_unique"),
        ),
        migrations.AddField(
            model_name="message", name="update_of",
            field=models.ForeignKey(
                blank=True, db_index=False,
                help_text="The public update this message carries to one follower by email.", null=True,
                on_delete=django.db.models.deletion.CASCADE, related_name="copies", to="cases.message"),
        ),
        migrations.AddField(
            model_name="message", name="origin_case",
            field=models.ForeignKey(
                blank=True, db_index=False,
                help_text="The case this message was written on, when a merge moved it to another case.", null=True,
                on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="cases.case"),
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(condition=models.Q(("origin_case__isnull", False)), fields=["origin_case"],
                               name="message_origin_case"),
        ),
        migrations.RunPython(origins_of_merged_messages, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="message", name="is_public",
            field=models.BooleanField(
                default=False,
                help_text="A public update: on the status page, the map and Open311, and sent to followers."),
        ),
        migrations.RunPython(messages_private, migrations.RunPython.noop),
        migrations.CreateModel(
            name="FollowerOptOut",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("at", models.DateTimeField()),
                ("case", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="opt_outs",
                                           to="cases.case")),
                ("contact", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                              to="contacts.contact")),
            ],
            options={"constraints": [models.UniqueConstraint(fields=("case", "contact"),
                                                             name="follower_opt_out_once")]},
        ),
    ]
