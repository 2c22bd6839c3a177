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
