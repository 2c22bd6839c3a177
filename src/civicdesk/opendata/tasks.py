"""Background job of the open data export: once a day, when the scheduler (every 10 minutes) finds today missing."""

from django.utils import timezone
from django_tasks import task

from civicdesk.opendata.actions import forget_old_exports, write_export
from civicdesk.opendata.models import Export


@task(queue_name="default")
def export_open_data() -> int:
    """Write today's export unless it exists (a restart never skips a day); returns rows."""
    today = timezone.localdate()
    if Export.objects.filter(day=today).exists():
        return 0
    result = write_export(today)
    forget_old_exports(today)
    return result.export.rows
