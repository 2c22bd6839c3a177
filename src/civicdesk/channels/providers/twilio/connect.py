"""`civicdesk channels add twilio`: a Twilio number (SMS and voice) of one agency."""

from argparse import ArgumentParser
from typing import Any

from civicdesk.agencies.models import Agency
from civicdesk.channels import actions
from civicdesk.channels.models import ChannelAccount

HELP = "A Twilio number (SMS and voice) of one agency."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--number", required=True, help="The Twilio number, with its country code: +12155550100.")
    parser.add_argument("--account-sid", required=True, help="The Twilio Account SID (AC followed by 32 characters).")
    token = parser.add_mutually_exclusive_group()
    token.add_argument("--auth-token", default="", help="The account's auth token, stored encrypted.")
    token.add_argument("--auth-token-env", default="", metavar="VARIABLE",
                       help="Read the auth token from this environment variable at run time instead (its name ends "
                            "in _AUTH_TOKEN, e.g. TWILIO_MAIN_AUTH_TOKEN); only the name is stored. Without either "
                            "option, TWILIO_AUTH_TOKEN is used when it is set.")


def connect(agency: Agency, options: dict[str, Any]) -> ChannelAccount:
    """Raises actions.AccountError with a message for people."""
    return actions.connect_twilio_number(
        agency=agency, number=options["number"], account_sid=options["account_sid"],
        auth_token=options["auth_token"], token_variable=options["auth_token_env"], display_name=options["name"])


def after_connect(account: ChannelAccount) -> str:
    """What to tell the admin beyond the webhook addresses."""
    if not account.credentials_ref:
        return ""
    variable = account.credentials_ref.removeprefix("env:") + "_AUTH_TOKEN"
    return (f"The auth token is read from the environment variable {variable} by the web and worker processes (set "
            "it in their environment or .env); it is not stored.")
