"""A provider SDK's requests session reads the environment once: the CA bundle kept, a proxy left to requests."""

import pytest
import requests

from civicdesk.channels import sessions

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*PROXY_VARIABLES, *sessions.CA_BUNDLE_VARIABLES):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_ca_bundle_is_kept_and_the_environment_no_longer_read(bare_environment: pytest.MonkeyPatch) -> None:
    bare_environment.setenv("CURL_CA_BUNDLE", "/etc/curl-bundle.pem")
    bare_environment.setenv("REQUESTS_CA_BUNDLE", "/etc/requests-bundle.pem")  # requests prefers this one
    session = requests.Session()
    sessions.read_environment_once(session)
    assert session.trust_env is False
    assert session.verify == "/etc/requests-bundle.pem"
    settings = session.merge_environment_settings("https://api.twilio.com/", {}, None, None, None)
    assert settings["verify"] == "/etc/requests-bundle.pem"  # what trust_env would have given


def test_nothing_set_keeps_the_default_verification(bare_environment: pytest.MonkeyPatch) -> None:
    session = requests.Session()
    sessions.read_environment_once(session)
    assert (session.trust_env, session.verify) == (False, True)


def test_with_a_proxy_the_session_keeps_reading_per_url(bare_environment: pytest.MonkeyPatch) -> None:
    bare_environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    bare_environment.setenv("NO_PROXY", "api.twilio.com")
    session = requests.Session()
    sessions.read_environment_once(session)
    assert session.trust_env is True
    assert session.merge_environment_settings("https://api.twilio.com/", {}, None, None, None)["proxies"] == {}
