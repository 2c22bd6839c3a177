"""The Mastodon tests' fixtures (mastodon-mock, our connected account, the resident's client) for the Mastodon
listening source; a test module's own fixture of the same name (the Jetstream tests' `server`) wins there."""

from civicdesk.channels.providers.mastodon.tests.conftest import (  # noqa: F401 - fixtures, used by name
    account,
    agency_api,
    mastodon_adapters,
    mastodon_server,
    resident,
    server,
)
