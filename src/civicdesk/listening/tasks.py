"""Background jobs of social listening: the daily retention purge."""

from django_tasks import task

from civicdesk.listening.actions import purge_expired_posts


@task(queue_name="default")
def purge_expired() -> int:
    """Posts past their stream's retention are deleted; minute counts and alerts stay."""
    return purge_expired_posts()
