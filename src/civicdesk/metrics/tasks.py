"""Background job of metrics: fold changed cases into the precomputed figures (settings.PERIODIC_TASKS)."""

from django_tasks import task

from civicdesk.metrics.actions import catch_up


@task(queue_name="default")
def catch_up_figures() -> int:
    """Refresh the figures of every case changed since the last run; the number of cases refreshed."""
    return catch_up()
