"""Text commands of apps above the conversation layer (crisis alerts' JOIN and YES), asked before a text is a case.

An app registers in its AppConfig.ready() (this layer never imports it): a claimer looks at an inbound text on a
consent-keyword channel and returns the effect to run (inside the pipeline's transaction, once per provider id, as
a keyword is), or None to leave the text alone. Opt-out listeners hear of every STOP the keyword path applied, so a
number that stops our texts also leaves every list it was on.
"""

from collections.abc import Callable
from typing import Any

from civicdesk.channels.events import InboundMessage

Effect = Callable[[], Any]
Claimer = Callable[[InboundMessage], Effect | None]
OptOutListener = Callable[[str, str, int | None], None]  # (identity kind, normalised value, our account id or None)

_claimers: list[Claimer] = []
_opt_out_listeners: list[OptOutListener] = []


def register(claimer: Claimer) -> None:
    """Ask `claimer` about every inbound text on a keyword channel; registering twice is a no-op."""
    if claimer not in _claimers:
        _claimers.append(claimer)


def on_opt_out(listener: OptOutListener) -> None:
    if listener not in _opt_out_listeners:
        _opt_out_listeners.append(listener)


def claim(event: InboundMessage) -> Effect | None:
    """The effect of the first registered command that claims the text, or None."""
    for claimer in _claimers:
        effect = claimer(event)
        if effect is not None:
            return effect
    return None


def opted_out(kind: str, value: str, account_id: int | None) -> None:
    """Tell every listener that this identity stopped texts from our account (any account: None)."""
    for listener in _opt_out_listeners:
        listener(kind, value, account_id)
