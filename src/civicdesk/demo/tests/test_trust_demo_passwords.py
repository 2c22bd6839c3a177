"""The demo city (logins with the password 'demo') loads only when asked, loudly, and its staff can be removed."""

from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from civicdesk.agencies.models import Agency, StaffRole
from civicdesk.api.actions import create_token
from civicdesk.demo import data
from civicdesk.testing.factories import create_staff

pytestmark = pytest.mark.django_db
DEMO_USERNAMES = [username for username, *_ in data.STAFF]


def marked_demo_logins() -> set[str]:
    from civicdesk.demo.models import DemoAccount  # imported here, so each test fails on its own without it

    return set(DemoAccount.objects.values_list("user__username", flat=True))


def run(command: str, *args: str) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_demo_refuses_with_debug_off_unless_told_about_the_demo_passwords() -> None:
    assert settings.DEBUG is False
    with pytest.raises(CommandError, match="--yes-demo-passwords"):
        run("seed_demo", "--cases", "0")
    assert not Agency.objects.exists() and not User.objects.exists()


def test_seed_demo_with_the_flag_loads_and_says_so_loudly() -> None:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", "--yes-demo-passwords", "--cases", "0", stdout=out, stderr=err)
    assert "DEMO DATA LOADED" in out.getvalue() and "civicdesk remove-demo-staff" in out.getvalue()
    assert "password 'demo'" in out.getvalue() and "DEMO DATA LOADED" in err.getvalue()
    assert marked_demo_logins() == set(DEMO_USERNAMES)


def test_seed_demo_needs_no_flag_with_debug_on(settings) -> None:
    settings.DEBUG = True
    assert "DEMO DATA LOADED" in run("seed_demo", "--cases", "0")


def test_make_run_keeps_the_quickstart_by_passing_the_flag_itself() -> None:
    makefile = (Path(settings.PROJECT_DIR) / "Makefile").read_text()
    assert "civicdesk seed-demo --yes-demo-passwords" in makefile


def test_remove_demo_staff_deactivates_every_demo_login_and_leaves_real_staff(client) -> None:
    run("seed_demo", "--yes-demo-passwords", "--cases", "0")
    real = create_staff("dana.real", role=StaffRole.ADMIN, password="a-long-real-passphrase")
    token = create_token(User.objects.get(username="agent.publicworks")).raw
    assert client.post("/staff/login/", {"username": "admin", "password": "demo"}).status_code == 302

    output = run("remove_demo_staff")

    assert f"Removed {len(DEMO_USERNAMES)} demo staff logins" in output and "agent.police" in output
    assert client.get("/staff/").status_code == 302  # the signed-in demo admin is signed out
    for username in DEMO_USERNAMES:
        user = User.objects.get(username=username)
        assert not user.is_active and not user.is_superuser and not user.has_usable_password()
        assert not user.check_password("demo")
    assert client.get("/api/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    real.refresh_from_db()
    assert real.is_active and real.is_superuser
    signed_in = client.post("/staff/login/", {"username": "dana.real", "password": "a-long-real-passphrase"})
    assert signed_in.status_code == 302 and "/staff/login/" not in signed_in["Location"]
    assert "Removed 0 demo staff logins" in run("remove_demo_staff")  # once is enough; again is harmless


def test_a_real_admin_named_admin_is_never_taken_for_a_demo_login() -> None:
    mine = User.objects.create_superuser("admin", "it@city.example", "our-own-admin-passphrase")
    run("seed_demo", "--yes-demo-passwords", "--cases", "0")
    assert "admin" not in marked_demo_logins()
    output = run("remove_demo_staff")
    assert f"Removed {len(DEMO_USERNAMES) - 1} demo staff logins" in output
    mine.refresh_from_db()
    assert mine.is_active and mine.check_password("our-own-admin-passphrase")


def test_removing_the_last_admin_says_how_to_make_a_new_one() -> None:
    run("seed_demo", "--yes-demo-passwords", "--cases", "0")
    assert "civicdesk createsuperuser" in run("remove_demo_staff")


def test_the_migration_marks_demo_logins_of_databases_seeded_before_it() -> None:
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    run("seed_demo", "--yes-demo-passwords", "--cases", "0")
    changed = User.objects.get(username="agent.parks")
    changed.set_password("a-new-private-passphrase")
    changed.save()
    from civicdesk.demo.models import DemoAccount

    DemoAccount.objects.all().delete()  # as before the marker existed
    migration = import_module("civicdesk.demo.migrations.0001_demo_account")
    migration.mark_existing_demo_logins(apps, SimpleNamespace(connection=connection))
    assert marked_demo_logins() == set(DEMO_USERNAMES) - {"agent.parks"}  # its password is no longer the demo one
