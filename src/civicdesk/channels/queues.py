"""Which task queue a channel's outbound delivery runs on: one queue (and worker) per provider."""

from django.conf import settings

DEFAULT_QUEUE = "default"


def delivery_queue(channel: str) -> str:
    """The queue of `channel`'s provider (settings.DELIVERY_QUEUES), or the default queue for an unlisted one."""
    queue: str = settings.DELIVERY_QUEUES.get(channel, DEFAULT_QUEUE)
    return queue
