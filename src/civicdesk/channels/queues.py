"""Which task queue a channel's outbound delivery runs on: one queue (and worker) per provider."""

from django.conf import settings

DEFAULT_QUEUE = "default"


def delivery_queue(channel: str, automatic: bool = False) -> str:
    """The queue of `channel`'s provider (settings.DELIVERY_QUEUES), or the default queue for an unlisted one; a
    message nobody wrote by hand goes on the background lane (settings.AUTOMATIC_DELIVERY_QUEUE) when there is one."""
    if automatic and settings.AUTOMATIC_DELIVERY_QUEUE:
        return str(settings.AUTOMATIC_DELIVERY_QUEUE)
    queue: str = settings.DELIVERY_QUEUES.get(channel, DEFAULT_QUEUE)
    return queue
