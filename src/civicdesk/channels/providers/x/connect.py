"""`civicdesk channels add x`: the agency's X account, refused unless the X connector is on and the administrator
confirms the Enterprise contract X's developer agreement requires for government use (--confirm-enterprise-contract)."""

import getpass
from argparse import ArgumentParser
from typing import Any

from civicdesk.agencies.models import Agency
from civicdesk.channels.actions import AccountError
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.x import actions, contract

HELP = ("The agency's X account (mentions and direct messages by X's webhooks). X requires an Enterprise contract for "
        "government use: see --confirm-enterprise-contract.")


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--user-id", required=True, help="The X account's numeric user id (stable; handles change).")
    parser.add_argument("--handle", required=True, help="The account's @handle, shown to staff.")
    parser.add_argument("--consumer-secret", default="", help="The X app's consumer secret (API secret key), which "
                                                              "signs X's webhooks; stored encrypted.")
    parser.add_argument("--access-token", default="", help="The account's OAuth 2.0 user access token, used to send "
                                                           "replies; stored encrypted.")
    parser.add_argument("--credentials-env", default="", metavar="PREFIX",
                        help="Read both from the environment at run time instead: PREFIX_CONSUMER_SECRET and "
                             "PREFIX_ACCESS_TOKEN (e.g. X_MAIN); only the prefix is stored.")
    parser.add_argument("--confirm-enterprise-contract", action="store_true",
                        help=f"{contract.NOTICE} {contract.CONFIRMATION}")


def connect(agency: Agency, options: dict[str, Any]) -> ChannelAccount:
    """Raises channels.actions.AccountError with a message for people (the notice, without the confirmation)."""
    if contract.connector_enabled() and not options["confirm_enterprise_contract"]:
        raise AccountError(f"{contract.NOTICE} Run the command again with --confirm-enterprise-contract once that "
                           "is so.")
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = ""
    return actions.connect_x_account(
        agency=agency, user_id=options["user_id"], handle=options["handle"],
        consumer_secret=options["consumer_secret"], access_token=options["access_token"],
        variable_prefix=options["credentials_env"], display_name=options["name"],
        confirm_contract=options["confirm_enterprise_contract"],
        actor_label=f"command line ({who})" if who else "command line")


def after_connect(account: ChannelAccount) -> str:
    """What to tell the admin beyond the webhook address."""
    lines = [f"Enterprise contract confirmed by {account.contract_confirmed_by} and recorded in the agency's audit "
             "trail.",
             "Register the webhook address below with X (POST /2/webhooks; X checks it with a CRC request at once), "
             "then subscribe the account to it (Account Activity or X Activity)."]
    if account.credentials_ref:
        prefix = account.credentials_ref.removeprefix("env:")
        lines.append(f"The secrets are read from {prefix}_CONSUMER_SECRET and {prefix}_ACCESS_TOKEN by the web and "
                     "worker processes; they are not stored.")
    return "\n".join(lines)
