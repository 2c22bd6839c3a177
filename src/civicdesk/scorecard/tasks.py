"""Background job of the scorecard: refreshing its published figures every SCORECARD_REFRESH_SECONDS."""

from django_tasks import task

from civicdesk.scorecard.actions import refresh


@task(queue_name="default")
def refresh_scorecard() -> int:
    return refresh()
