"""Tags are case-insensitive: every tag name becomes its normalised spelling, and tags that differ only in case or
separators ("Lane Blocked", "lane_blocked", "lane-blocked") become one, keeping every case that carried any of them."""

import re
from collections import defaultdict

from django.db import migrations

TAG_LENGTH = 60
SEPARATORS = re.compile(r"[\s_\-,]+")


def normalize(name):
    """cases.models.normalize_tag_name as it was when this migration was written (migrations never import it)."""
    words = SEPARATORS.split(str(name).strip().casefold())
    return "-".join(word for word in words if word)[:TAG_LENGTH].strip("-")


def merge_tag_spellings(apps, schema_editor):
    Tag = apps.get_model("cases", "Tag")
    CaseTags = apps.get_model("cases", "Case").tags.through
    groups = defaultdict(list)
    for tag in Tag.objects.order_by("pk"):
        groups[normalize(tag.name) or tag.name].append(tag)
    for tags in groups.values():
        keeper, others = tags[0], tags[1:]
        if others:
            other_ids = [t.pk for t in others]
            tagged = set(CaseTags.objects.filter(tag_id=keeper.pk).values_list("case_id", flat=True))
            moving = set(CaseTags.objects.filter(tag_id__in=other_ids).values_list("case_id", flat=True)) - tagged
            CaseTags.objects.bulk_create([CaseTags(case_id=case_id, tag_id=keeper.pk) for case_id in sorted(moving)])
            CaseTags.objects.filter(tag_id__in=other_ids).delete()
            Tag.objects.filter(pk__in=other_ids).delete()
    for name, tags in groups.items():  # after the deletes: a new name never meets an old spelling still present
        if tags[0].name != name:
            Tag.objects.filter(pk=tags[0].pk).update(name=name)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_case_search_document"),
    ]

    operations = [
        migrations.RunPython(merge_tag_spellings, migrations.RunPython.noop),
    ]
