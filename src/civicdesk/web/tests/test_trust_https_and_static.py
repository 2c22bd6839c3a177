"""https sites get Secure cookies and HSTS; /static/vendor/ serves only the npm files the pages use."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
response = Client().get("/staff/login/", secure=True)  # a page that reads no table: the probe has none
proxied = Client().get("/staff/login/", HTTP_X_FORWARDED_PROTO="https")
cookie = response.cookies["csrftoken"]
print(json.dumps({"session_secure": settings.SESSION_COOKIE_SECURE, "csrf_secure": settings.CSRF_COOKIE_SECURE,
                  "csrf_cookie_secure": bool(cookie["secure"]), "hsts": response.get("Strict-Transport-Security"),
                  "proxied_hsts": proxied.get("Strict-Transport-Security"), "status": response.status_code}))
"""
TEMPLATE_VENDOR = re.compile(r"""static ['"]vendor/([^'"]+)['"]""")


def probe(tmp_path: Path, **env: str) -> dict[str, object]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "SITE_URL"))}
    environment.update({"CIVICDESK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "civicdesk.settings", **env})
    done = subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_an_https_site_url_makes_cookies_secure_and_sends_hsts_for_a_year(tmp_path: Path) -> None:
    seen = probe(tmp_path, SITE_URL="https://311.riverbend.example")
    assert seen["status"] == 200
    assert seen["session_secure"] is True and seen["csrf_secure"] is True and seen["csrf_cookie_secure"] is True
    assert seen["hsts"] == "max-age=31536000"


def test_the_http_quickstart_keeps_plain_cookies_and_sends_no_hsts(tmp_path: Path) -> None:
    seen = probe(tmp_path, SITE_URL="http://127.0.0.1:8000")
    assert seen["session_secure"] is False and seen["csrf_cookie_secure"] is False
    assert seen["hsts"] is None


def test_hsts_length_and_the_proxy_header_come_from_the_environment(tmp_path: Path) -> None:
    seen = probe(tmp_path, SITE_URL="https://311.riverbend.example", SECURE_HSTS_SECONDS="600",
                 SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https")
    assert seen["hsts"] == "max-age=600"
    assert seen["proxied_hsts"] == "max-age=600"  # the TLS proxy's header makes the request secure
    without_proxy_setting = probe(tmp_path, SITE_URL="https://311.riverbend.example")
    assert without_proxy_setting["proxied_hsts"] is None  # the header is not trusted unless opted in


@pytest.mark.parametrize("path", [
    "leaflet/dist/leaflet.js", "@uswds/uswds/dist/css/uswds.min.css", "htmx.org/dist/htmx.min.js",
    "@uswds/uswds/dist/img/usa-icons/close.svg", "leaflet/dist/images/layers.png",
])
def test_files_the_pages_use_are_served_under_static_vendor(client, path: str) -> None:
    assert client.get(f"/static/vendor/{path}").status_code == 200


@pytest.mark.parametrize("path", [
    "leaflet/package.json", "axe-core/axe.min.js", "chart.js/package.json", ".package-lock.json",
    "@uswds/uswds/package.json", "leaflet/src/Leaflet.js", "../package.json",
])
def test_the_rest_of_node_modules_is_never_served(client, db, path: str) -> None:  # the 404 page reads the banner
    assert (Path(settings.NODE_MODULES_DIR) / path).exists() or path.startswith("..")
    assert client.get(f"/static/vendor/{path}").status_code == 404


def test_the_fonts_and_icons_a_listed_stylesheet_points_to_are_served(client) -> None:
    css = client.get("/static/vendor/@uswds/uswds/dist/css/uswds.min.css")
    referenced = sorted(set(re.findall(r"url\(\.\./(fonts/[^)?#]+\.woff2)\)", b"".join(css).decode())))
    assert referenced
    for font in referenced[:5]:
        assert client.get(f"/static/vendor/@uswds/uswds/dist/{font}").status_code == 200


def test_every_vendor_file_a_template_names_is_served() -> None:
    from civicdesk.web.vendor import listed_files

    named = {m for template in Path(settings.BASE_DIR).rglob("*.html")
             for m in TEMPLATE_VENDOR.findall(template.read_text())}
    assert len(named) >= 10
    assert named <= set(listed_files(Path(settings.NODE_MODULES_DIR)))


def test_collectstatic_copies_only_the_listed_vendor_files(tmp_path: Path, settings) -> None:
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    vendor = tmp_path / "vendor"
    assert (vendor / "leaflet/dist/leaflet.js").is_file()
    assert not (vendor / "leaflet/package.json").exists()
    assert not (vendor / "axe-core").exists()
    assert sum(1 for p in vendor.rglob("*") if p.is_file()) < 200  # node_modules holds thousands
