"""Writes for X accounts: connecting one to an agency and recording an administrator's confirmation of the Enterprise
contract (who and when, on the account and in the agency's audit trail), each in one transaction."""

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicdesk.agencies.actions import record_channel_account_change
from civicdesk.channels import account_cache
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.channels.providers.x import contract

USER_ID = re.compile(r"[1-9][0-9]{0,19}")
HANDLE = re.compile(r"@?([A-Za-z0-9_]{1,15})")
SECRET = re.compile(r"[!-~]{16,300}")  # printable ASCII, no spaces
PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def _audit(account: ChannelAccount, actor: Any, actor_label: str, *, before: dict[str, Any],
           after: dict[str, Any]) -> None:
    facts = {"agency": account.agency.slug, "channel_account": account.pk, "provider": account.provider,
             "address": account.address}
    if actor is None and actor_label:
        facts["confirmed_from"] = actor_label
    record_channel_account_change(facts, actor=actor, before=before, after=after)


def _who(actor: Any, actor_label: str) -> str:
    if actor is not None:
        return str(actor.get_username())[:200]
    return (actor_label or "command line")[:200]


def _credentials(consumer_secret: str, access_token: str, variable_prefix: str) -> tuple[dict[str, str], str]:
    prefix = (variable_prefix or "").strip()
    if prefix:
        if consumer_secret or access_token:
            raise AccountError(_("Give the secrets or the prefix of the environment variables holding them, not both."))
        if not PREFIX.fullmatch(prefix):
            raise AccountError(_("The prefix is a name such as X_MAIN: CivicDesk then reads X_MAIN_CONSUMER_SECRET and "
                                 "X_MAIN_ACCESS_TOKEN."))
        return {}, "env:" + prefix.upper()
    values = {"consumer_secret": (consumer_secret or "").strip(), "access_token": (access_token or "").strip()}
    if not SECRET.fullmatch(values["consumer_secret"]):
        raise AccountError(_("The consumer secret (API secret key) of the X app is missing or malformed: it signs "
                             "X's webhooks."))
    if not SECRET.fullmatch(values["access_token"]):
        raise AccountError(_("The access token of the agency's X account is missing or malformed: replies are sent "
                             "with it."))
    return values, ""


@transaction.atomic
def connect_x_account(*, agency: Any, user_id: str, handle: str, consumer_secret: str = "", access_token: str = "",
                      variable_prefix: str = "", display_name: str = "", confirm_contract: bool = False,
                      actor: Any = None, actor_label: str = "",
                      seen_agency_ids: list[int] | None = None) -> ChannelAccount:
    """The agency's X account (its numeric user id, the stable one; the handle for staff), active and receiving only
    with the Enterprise contract confirmed: refused without the confirmation, and while the connector is off."""
    if not contract.connector_enabled():
        raise AccountError(str(contract.DISABLED))
    if not confirm_contract:
        raise AccountError(_("%(notice)s Connect the account again with the confirmation once that is so.")
                           % {"notice": contract.NOTICE})
    address = (user_id or "").strip()
    if not USER_ID.fullmatch(address):
        raise AccountError(_("The X user id is the account's number (up to 20 digits), not its @handle."))
    found = HANDLE.fullmatch((handle or "").strip())
    if found is None:
        raise AccountError(_("The handle is the account's @name: up to 15 letters, digits and underscores."))
    values, reference = _credentials(consumer_secret, access_token, variable_prefix)
    taken = ChannelAccount.objects.filter(provider=Provider.X, address=address).select_related("agency").first()
    if taken is not None:
        agency_name = taken.agency.name if seen_agency_ids is None or taken.agency_id in seen_agency_ids else ""
        raise AccountError(_("This X account is already connected to %(agency)s.") % {"agency": agency_name}
                           if agency_name else _("This X account is already connected to another agency."))
    now = timezone.now()
    account = ChannelAccount(channel=Channel.X, provider=Provider.X, agency=agency, address=address,
                             display_name=((display_name or "").strip() or "@" + found.group(1))[:200],
                             credentials_ref=reference, contract_confirmed_at=now,
                             contract_confirmed_by=_who(actor, actor_label))
    account.set_credentials(values)
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise AccountError(_("This X account is already connected.")) from None
    _audit(account, actor, actor_label, before={}, after={
        "active": True, "token": "environment" if reference else "stored",
        "enterprise_contract_confirmed": now.isoformat()})
    return account


@transaction.atomic
def confirm_contract(account: ChannelAccount, *, actor: Any = None, actor_label: str = "") -> ChannelAccount:
    """An administrator confirms the Enterprise contract for an existing X account, which is enabled with it."""
    if not contract.connector_enabled():
        raise AccountError(str(contract.DISABLED))
    if account.provider != Provider.X:
        raise AccountError(_("Only X accounts need this confirmation."))
    now = timezone.now()
    before = {"active": account.is_active,
              "enterprise_contract_confirmed": account.contract_confirmed_at.isoformat()
              if account.contract_confirmed_at else None}
    who = _who(actor, actor_label)
    ChannelAccount.objects.filter(pk=account.pk).update(
        contract_confirmed_at=now, contract_confirmed_by=who, is_active=True, updated_at=now)
    account.contract_confirmed_at, account.contract_confirmed_by, account.is_active = now, who, True
    account_cache.changed()
    _audit(account, actor, actor_label, before=before,
           after={"active": True, "enterprise_contract_confirmed": now.isoformat()})
    return account
