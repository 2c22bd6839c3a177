"""The one registry through which apps above the conversation layer take an inbound text before it is a case message.

An app registers its hooks in its AppConfig.ready() (this layer never imports it). The pipeline asks every hook of
the ANSWER stage (answers to a question we asked: a survey score, "Is it fixed?"), then every hook of the COMMAND
stage (text commands: crisis alerts' JOIN and YES), in registration order within a stage; the first that does not
answer None wins. A hook answers:

- `Taken(event)`: the hook handled the text itself and keeps its own once-only record; no case message.
- `Taken(event, consumed=False)`: the (possibly rewritten) event goes on through threading, e.g. onto its case.
- `Taken(event, effect=run)`: a command. The pipeline runs `run()` inside its transaction once per provider id, as
  it runs STOP; the hook must not write anything itself.

Opt-out listeners hear of every STOP the keyword path applied, so a number that stops our texts also leaves every
list it was on.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models

from civicdesk.channels.events import InboundMessage

Effect = Callable[[], Any]


class Stage(models.TextChoices):
    ANSWER = "answer", "An answer to a question we asked"
    COMMAND = "command", "A text command"


@dataclass(frozen=True)
class Taken:
    event: InboundMessage
    consumed: bool = True
    duplicate: bool = False  # a repeat of an answer already taken
    effect: Effect | None = None  # a command's effect, run once per provider id by the pipeline


Hook = Callable[[InboundMessage], Taken | None]
OptOutListener = Callable[[str, str, int | None], None]  # (identity kind, normalised value, our account id or None)

_hooks: dict[str, list[Hook]] = {Stage.ANSWER: [], Stage.COMMAND: []}
_opt_out_listeners: list[OptOutListener] = []


def register(hook: Hook, *, stage: Stage) -> None:
    """Ask `hook` about every inbound text, at this stage; registering the same hook twice is a no-op."""
    if hook not in _hooks[stage]:
        _hooks[stage].append(hook)


def hooks() -> tuple[tuple[str, Hook], ...]:
    """Every hook with its stage, in the order the pipeline asks them."""
    return tuple((stage, hook) for stage in Stage for hook in _hooks[stage])


def take(event: InboundMessage) -> Taken | None:
    """The first hook's answer about this message, inside the pipeline's transaction; None from all: as usual."""
    for _stage, hook in hooks():
        taken = hook(event)
        if taken is not None:
            return taken
    return None


def on_opt_out(listener: OptOutListener) -> None:
    """Call listener(kind, value, account_id) whenever an identity stops our texts."""
    if listener not in _opt_out_listeners:
        _opt_out_listeners.append(listener)


def opted_out(kind: str, value: str, account_id: int | None) -> None:
    """Tell every listener that this identity stopped texts from our account (any account: None)."""
    for listener in _opt_out_listeners:
        listener(kind, value, account_id)
