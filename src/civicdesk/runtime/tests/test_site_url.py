"""SITE_URL follows the port served (PORT, `civicdesk run --port`) unless set; outbound mail never loops back in."""

import os
import subprocess
import sys
from typing import Any

import pytest

from civicdesk.runtime.management.commands.run import Command
from civicdesk.runtime.site_url import default_site_url, site_url_from


def site_url_in_a_fresh_process(**environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "HOST"}}
    code = "from django.conf import settings; print(settings.SITE_URL)"
    return subprocess.run([sys.executable, "-c", code], env={**env, **environ,
                          "DJANGO_SETTINGS_MODULE": "civicdesk.settings"},
                          capture_output=True, text=True, check=True, timeout=120).stdout.strip()


def test_site_url_follows_port_unless_it_is_set() -> None:
    assert site_url_from({}) == "http://127.0.0.1:8000"
    assert site_url_from({"PORT": "8123"}) == "http://127.0.0.1:8123"
    assert site_url_from({"PORT": "8123", "HOST": "0.0.0.0"}) == "http://127.0.0.1:8123"
    assert site_url_from({"PORT": "8123", "HOST": "192.0.2.7"}) == "http://192.0.2.7:8123"
    assert default_site_url("::1", 9000) == "http://[::1]:9000"
    assert site_url_from({"PORT": "8123", "SITE_URL": "https://311.riverbend.example"}) == \
        "https://311.riverbend.example"


def test_the_settings_take_site_url_from_port_in_a_new_process() -> None:
    assert site_url_in_a_fresh_process(PORT="8765") == "http://127.0.0.1:8765"
    assert site_url_in_a_fresh_process(PORT="8765", SITE_URL="https://311.example") == "https://311.example"


def test_run_with_a_port_hands_it_to_its_processes_and_to_site_url(settings: Any,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("PORT", "8000")
    monkeypatch.setenv("HOST", "127.0.0.1")
    Command.serve_on("127.0.0.1", 8042)
    assert os.environ["PORT"] == "8042" and settings.SITE_URL == "http://127.0.0.1:8042"
    monkeypatch.setenv("SITE_URL", "https://311.riverbend.example")
    Command.serve_on("0.0.0.0", 8043)
    assert settings.SITE_URL == "https://311.riverbend.example"  # an explicit SITE_URL always wins


@pytest.mark.django_db
def test_a_link_in_mail_points_to_the_site_url(settings: Any) -> None:
    from civicdesk.cases.followers import status_url
    from civicdesk.testing.factories import create_agency, create_case

    create_agency(settings.DEFAULT_AGENCY_SLUG, "Riverbend 311")
    case = create_case()
    settings.SITE_URL = "http://127.0.0.1:8042"
    assert status_url(case) == f"http://127.0.0.1:8042/status/{case.public_id}/"


def test_sending_mail_to_our_own_inbound_listener_is_warned_about(settings: Any) -> None:
    from civicdesk.runtime.checks import outbound_mail_does_not_loop_into_the_listener as check

    settings.SMTP_LISTEN_HOST, settings.SMTP_LISTEN_PORT = "127.0.0.1", 2525
    settings.EMAIL_HOST, settings.EMAIL_PORT = "localhost", 2525
    assert [w.id for w in check()] == ["civicdesk.W002"]
    settings.EMAIL_PORT = 1025
    assert check() == []
    settings.EMAIL_HOST, settings.EMAIL_PORT = "", 2525  # no EMAIL_HOST: the outbox, nothing is sent
    assert check() == []
