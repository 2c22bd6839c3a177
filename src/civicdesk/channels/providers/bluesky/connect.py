"""`civicdesk channels add bluesky`: an agency's Bluesky handle, polled for mentions, replies and chat messages."""

from argparse import ArgumentParser
from typing import Any

from civicdesk.agencies.models import Agency
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.bluesky.actions import connect_bluesky_account

HELP = "A Bluesky handle of one agency (mentions, replies and chat messages, polled)."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--handle", required=True, help="The agency's handle: city311.bsky.social.")
    password = parser.add_mutually_exclusive_group()
    password.add_argument("--app-password", default="", help="An app password of the account (Settings > Privacy "
                          "and security > App passwords; allow direct messages to answer them), stored encrypted.")
    password.add_argument("--app-password-env", default="", metavar="VARIABLE",
                          help="Read the app password from this environment variable at run time instead (its name "
                               "ends in _APP_PASSWORD, e.g. BLUESKY_MAIN_APP_PASSWORD); only the name is stored. "
                               "Without either option, BLUESKY_APP_PASSWORD is used when it is set.")
    parser.add_argument("--service", default="", help="The account's server (default BLUESKY_SERVICE_URL, "
                                                      "https://bsky.social).")


def connect(agency: Agency, options: dict[str, Any]) -> ChannelAccount:
    """Raises channels.actions.AccountError with a message for people."""
    return connect_bluesky_account(agency=agency, handle=options["handle"], app_password=options["app_password"],
                                   password_variable=options["app_password_env"], service=options["service"],
                                   display_name=options["name"])


def after_connect(account: ChannelAccount) -> str:
    """What to tell the admin: how often it is polled, and where the password is read from."""
    note = ("Bluesky has no webhook: the worker polls this account every SOCIAL_POLL_SECONDS (30 s by default); "
            "mentions and replies from now on become cases.")
    if account.credentials_ref:
        variable = account.credentials_ref.removeprefix("env:") + "_APP_PASSWORD"
        note += (f" The app password is read from the environment variable {variable} by the worker; it is not "
                 "stored.")
    return note
