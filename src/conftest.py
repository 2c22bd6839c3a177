"""Project-wide pytest configuration: background tasks run immediately in tests.

Side effects are enqueued on commit; in a `db` test use `django_capture_on_commit_callbacks(execute=True)`
(or `transactional_db`) to see them run.
"""

import pytest


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": list(settings.TASK_QUEUES)}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPEN_DATA_DIR = tmp_path / "opendata"


@pytest.fixture(autouse=True)
def _steady_rate_windows(monkeypatch):
    """Rate-limit windows read a clock held at second 20 of this minute, so a test's burst never straddles two
    windows (a test that means to cross one passes `now=`)."""
    from civicdesk.web import ratelimit

    held = (int(ratelimit.clock()) // 60) * 60 + 20.0
    monkeypatch.setattr(ratelimit, "clock", lambda: held)


@pytest.fixture(autouse=True)
def _fresh_service_cache():
    from civicdesk.agencies.queries import forget_services

    forget_services()  # each test builds its own catalogue; a cached definition must not leak between tests
    yield
    forget_services()


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, signed in past two-factor as admins must be (see civicdesk.accounts.gate)."""
    from django.test import Client

    from civicdesk.testing.signin import verified_login

    return verified_login(Client(), admin_user)


def _flushes_the_database(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    return transactional or bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _starting_area_types(request, django_db_blocker):
    """A transactional test ends by emptying every table, the rows migrations made included: put back the starting
    area types (gis migration 0003) for the tests after it. Every test starts with a fresh boundary index too."""
    from civicdesk.gis.lookup import invalidate

    invalidate()
    yield
    invalidate()
    if _flushes_the_database(request):
        from civicdesk.gis.actions import ensure_default_area_types

        with django_db_blocker.unblock():
            ensure_default_area_types()
