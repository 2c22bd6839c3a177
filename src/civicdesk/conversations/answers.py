"""Short answers to a question we asked by text (a survey score, "Is it fixed?"), taken before threading.

Apps above this layer register a handler in their AppConfig.ready(); the pipeline asks each, in order, about every
inbound message before it becomes a case message. A handler answers None (not an answer to anything of ours: the
message goes on as usual) or a Taken: `consumed` answers are kept by the handler and never become a case message;
otherwise the (possibly rewritten) event goes on through threading, e.g. onto the case it answered about.
"""

from collections.abc import Callable
from dataclasses import dataclass

from civicdesk.channels.events import InboundMessage


@dataclass(frozen=True)
class Taken:
    event: InboundMessage
    consumed: bool = True
    duplicate: bool = False  # a repeat of an answer already taken


Handler = Callable[[InboundMessage], Taken | None]
_handlers: list[Handler] = []


def register(handler: Handler) -> None:
    """Ask `handler` about every inbound message; registering the same handler twice is a no-op."""
    if handler not in _handlers:
        _handlers.append(handler)


def handlers() -> tuple[Handler, ...]:
    return tuple(_handlers)


def take(event: InboundMessage) -> Taken | None:
    """The first handler's answer about this message, inside the pipeline's transaction; None from all: as usual."""
    for handler in _handlers:
        taken = handler(event)
        if taken is not None:
            return taken
    return None
