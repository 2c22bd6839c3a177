"""SECRET_KEY: generated once into VAR_DIR/secret_key (mode 600), the environment wins, defaults stop the server."""

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from civicdesk.runtime.secret_key import OLD_BUILT_IN_KEY

PRINT_KEY = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"


def environment(var_dir: Path, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update({"CIVICDESK_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "civicdesk.settings", **overrides})
    return env


def key_seen_by_a_new_process(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", PRINT_KEY], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def civicdesk(*args: str, env: dict[str, str], timeout: float = 120) -> tuple[int | None, str]:
    """Run `civicdesk ARGS` in its own process group; a command still running at the timeout is killed (None)."""
    process = subprocess.Popen([sys.executable, "-m", "civicdesk", *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output = process.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
        return None, output
    return process.returncode, output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_first_start_without_a_key_writes_a_random_one_readable_only_by_its_owner(tmp_path: Path) -> None:
    key = key_seen_by_a_new_process(environment(tmp_path))
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) >= 50 and key != OLD_BUILT_IN_KEY
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")]  # no temporary left


def test_the_generated_key_is_reused_on_every_later_start(tmp_path: Path) -> None:
    first = key_seen_by_a_new_process(environment(tmp_path))
    assert key_seen_by_a_new_process(environment(tmp_path)) == first


def test_two_installations_get_different_keys(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert key_seen_by_a_new_process(environment(tmp_path / "a")) != key_seen_by_a_new_process(
        environment(tmp_path / "b"))


def test_a_key_from_the_environment_wins_over_the_key_file(tmp_path: Path) -> None:
    key_seen_by_a_new_process(environment(tmp_path))
    mine = "x" * 20 + "an-operator-chosen-key-of-enough-length-0123456789"
    assert key_seen_by_a_new_process(environment(tmp_path, SECRET_KEY=mine)) == mine


def test_check_deploy_fails_on_the_old_built_in_key(tmp_path: Path) -> None:
    for debug in ("false", "true"):
        code, output = civicdesk("check", "--deploy", env=environment(tmp_path, SECRET_KEY=OLD_BUILT_IN_KEY,
                                                                         DEBUG=debug))
        assert code != 0, output
        assert "civicdesk.E001" in output and "SECRET_KEY" in output


@pytest.mark.parametrize("known_default", ["change-me", "short-key", OLD_BUILT_IN_KEY])
def test_check_deploy_fails_on_the_env_example_and_other_weak_keys(tmp_path: Path, known_default: str) -> None:
    code, output = civicdesk("check", "--deploy", env=environment(tmp_path, SECRET_KEY=known_default))
    assert code != 0 and "civicdesk.E001" in output, output


def test_check_deploy_accepts_the_generated_key(tmp_path: Path) -> None:
    code, output = civicdesk("check", "--deploy", env=environment(tmp_path))
    assert "civicdesk.E001" not in output, output


def test_run_refuses_to_serve_with_a_default_key_and_debug_off(tmp_path: Path) -> None:
    env = environment(tmp_path, SECRET_KEY="change-me", DEBUG="false", PORT=str(free_port()),
                      SMTP_PORT=str(free_port()), WEB_WORKERS="1")
    code, output = civicdesk("run", "--no-worker", "--no-smtp", env=env, timeout=45)
    assert code is not None and code != 0, output
    assert "SECRET_KEY" in output and "CivicDesk is serving" not in output


def test_a_key_file_others_can_read_is_reported_by_check(tmp_path: Path) -> None:
    key_seen_by_a_new_process(environment(tmp_path))
    (tmp_path / "secret_key").chmod(0o644)
    code, output = civicdesk("check", env=environment(tmp_path))
    assert "civicdesk.W001" in output and "chmod 600" in output, output


def test_run_on_a_database_without_migrations_says_to_migrate_instead_of_starting_workers(tmp_path: Path) -> None:
    env = environment(tmp_path, PORT=str(free_port()), SMTP_PORT=str(free_port()), WEB_WORKERS="1")
    code, output = civicdesk("run", "--no-smtp", env=env, timeout=45)
    assert code is not None and code != 0, output
    assert "civicdesk migrate" in output and "CivicDesk is serving" not in output
