"""`civicdesk channels add youtube`: an agency's YouTube channel, polled for comments and answered by replies."""

from argparse import ArgumentParser
from typing import Any

from civicdesk.agencies.models import Agency
from civicdesk.channels.models import ChannelAccount
from civicdesk.channels.providers.youtube import actions

HELP = "A YouTube channel of one agency: comments on its videos become cases; replies are comment replies."


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("--channel-id", required=True, help="The channel's id: UC followed by 22 characters.")
    parser.add_argument("--client-id", default="", help="The OAuth client id of your Google Cloud project.")
    parser.add_argument("--client-secret", default="", help="That OAuth client's secret, stored encrypted.")
    parser.add_argument("--oauth-refresh-token", default="",
                        help="A refresh token granted by the channel's owner with the youtube.force-ssl scope (to "
                             "read comments and post replies), stored encrypted.")
    parser.add_argument("--api-key", default="", help="An API key: enough to read public comments, not to reply.")
    parser.add_argument("--credentials-env", default="", metavar="PREFIX",
                        help="Read the credentials from the environment at run time instead: PREFIX_CLIENT_ID, "
                             "PREFIX_CLIENT_SECRET, PREFIX_REFRESH_TOKEN and/or PREFIX_API_KEY (only the prefix is "
                             "stored).")


def connect(agency: Agency, options: dict[str, Any]) -> ChannelAccount:
    """Raises channels.actions.AccountError with a message for people."""
    return actions.connect_youtube_channel(
        agency=agency, channel=options["channel_id"], api_key=options["api_key"], client_id=options["client_id"],
        client_secret=options["client_secret"], refresh_token=options["oauth_refresh_token"],
        env_prefix=options["credentials_env"], display_name=options["name"])


def after_connect(account: ChannelAccount) -> str:
    """What to tell the admin: no webhook to set up; how often it is polled, and the quota."""
    lines = ["YouTube does not push comments: the worker polls the channel (SOCIAL_POLL_SECONDS, slower when the "
             "daily quota runs short; see `civicdesk channels list`)."]
    if account.credentials_ref:
        prefix = account.credentials_ref.removeprefix("env:")
        lines.append(f"The credentials are read from {prefix}_CLIENT_ID, {prefix}_CLIENT_SECRET, "
                     f"{prefix}_REFRESH_TOKEN and {prefix}_API_KEY in the web and worker processes' environment.")
    return " ".join(lines)
