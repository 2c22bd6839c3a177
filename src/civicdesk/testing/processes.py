"""Tests that kill processes: a private SQLite database shared by several Django processes, and code run in one."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path


def migrated_environment(var_dir: Path) -> dict[str, str]:
    """The environment of processes sharing a fresh, migrated SQLite file under `var_dir` (jobs run at once)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicdesk.settings", "CIVICDESK_VAR_DIR": str(var_dir),
           "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    env.pop("DATABASE_URL", None)  # a private SQLite file shared by the processes of the test
    migrate = subprocess.run([sys.executable, "-m", "civicdesk", "migrate", "-v", "0"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    return env


def run_django(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `code` in a new Python process with Django set up (a process the test may let kill itself)."""
    script = "import django; django.setup()\n" + textwrap.dedent(code)
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
