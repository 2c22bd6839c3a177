"""Whether X content may reach staff: the X connector ships off, and each X account needs an administrator's
confirmation that the agency holds the Enterprise contract X's developer agreement requires for government use."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Shown wherever an X account is connected or enabled (the Channels page, `civicdesk channels add x`).
NOTICE = _(
    "X's developer agreement requires an Enterprise plan, a contract with X, when X content is shown to people who "
    "work for or on behalf of a government. Pay-per-use or other self-serve access is not enough. Confirm only if "
    "your agency (or the organization running CivicDesk for it) holds that Enterprise contract for this X app.")
CONFIRMATION = _("I confirm that we hold an X Enterprise contract that covers government use of this X app.")
DISABLED = _("The X connector is off. An administrator of the server turns it on with X_CONNECTOR_ENABLED=true, "
             "once the agency holds an X Enterprise contract.")


def connector_enabled() -> bool:
    """X_CONNECTOR_ENABLED: off unless the server's administrator turned it on."""
    return bool(getattr(settings, "X_CONNECTOR_ENABLED", False))


def contract_confirmed(account: Any) -> bool:
    """An administrator confirmed the Enterprise contract for this account (who and when are on the account)."""
    return getattr(account, "contract_confirmed_at", None) is not None


def may_receive(account: Any) -> bool:
    """X content of this account may come in and be shown: connector on, contract confirmed, account active."""
    return connector_enabled() and contract_confirmed(account) and bool(getattr(account, "is_active", False))
