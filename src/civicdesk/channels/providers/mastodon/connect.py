"""`civicdesk channels add mastodon`: an agency's account on a Mastodon instance (mentions and direct messages)."""

import os
from argparse import ArgumentParser
from typing import Any

from civicdesk.agencies.models import Agency
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.mastodon.accounts import connect_mastodon_account

HELP = "An agency's Mastodon account: mentions and direct messages become conversations."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--instance", default=os.environ.get("MASTODON_API_BASE_URL", ""),
                        help="The instance's address, e.g. https://mastodon.example (default: MASTODON_API_BASE_URL).")
    token = parser.add_mutually_exclusive_group(required=True)
    token.add_argument("--access-token", default="", help="The account's access token (read and write scopes), "
                                                          "stored encrypted.")
    token.add_argument("--access-token-env", default="", metavar="VARIABLE",
                       help="Read the token from this environment variable at run time instead (its name ends in "
                            "_ACCESS_TOKEN, e.g. MASTODON_MAIN_ACCESS_TOKEN); only the name is stored.")


def connect(agency: Agency, options: dict[str, Any]) -> ChannelAccount:
    """Asks the instance who the token belongs to; raises channels.actions.AccountError with a message for people."""
    return connect_mastodon_account(agency=agency, instance=options["instance"],
                                    access_token=options["access_token"], token_variable=options["access_token_env"],
                                    display_name=options["name"])


def after_connect(account: ChannelAccount) -> str:
    note = ("Mentions and direct messages arrive through the streaming API, held by `civicdesk channels listen` "
            "(started by `civicdesk run`); the notifications endpoint catches up after a gap.")
    if account.credentials_ref:
        variable = account.credentials_ref.removeprefix("env:") + "_ACCESS_TOKEN"
        note += (f" The access token is read from the environment variable {variable} by the web and worker "
                 "processes; it is not stored.")
    return note
