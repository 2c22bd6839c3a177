"""An expression index for the inbox's "priority" sort: rank (urgent 3 .. low 0), then newest first.

The expression must stay textually equal to cases.filters.PRIORITY_RANK_SQL so the planner uses the index.
"""

from django.db import migrations

PRIORITY_RANK = "CASE priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END"


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0002_case_search_index"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS case_priority_rank ON cases_case (({PRIORITY_RANK}), created_at, id)",
            "DROP INDEX IF EXISTS case_priority_rank",
        ),
    ]
