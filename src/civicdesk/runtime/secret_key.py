"""The SECRET_KEY: from the environment, else generated once into VAR_DIR/secret_key (mode 600) and reused."""

import contextlib
import os
import secrets
from pathlib import Path

KEY_FILE_NAME = "secret_key"
MIN_LENGTH = 50  # Django's own deploy check asks for at least 50 characters
OLD_BUILT_IN_KEY = "dev-only-insecure-key-change-me-in-production-0123456789"
KNOWN_DEFAULTS = frozenset({OLD_BUILT_IN_KEY, "change-me", "changeme", "secret", "django-insecure"})


def is_known_default(key: str) -> bool:
    """True for keys nobody should serve with: empty, short, published in our files, or marked insecure."""
    stripped = key.strip()
    return (stripped in KNOWN_DEFAULTS or len(stripped) < MIN_LENGTH or len(set(stripped)) < 5
            or stripped.startswith("django-insecure") or "change-me" in stripped)


def load_or_create(var_dir: Path) -> str:
    """Read VAR_DIR/secret_key, creating it atomically with a random key (mode 0600) the first time."""
    path = var_dir / KEY_FILE_NAME
    if not path.exists():
        _create(path)
    return path.read_text(encoding="ascii").strip()


def _create(path: Path) -> None:
    """Write a new key to a private temporary file and link it into place; a concurrent winner's key is kept."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process started at the same moment: keep its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def secret_key_from(environ: os._Environ[str] | dict[str, str], var_dir: Path) -> str:
    """A key from the environment wins (an empty SECRET_KEY counts as unset); otherwise the one kept in VAR_DIR."""
    if environ.get("SECRET_KEY", "").strip():
        return environ["SECRET_KEY"]
    return load_or_create(var_dir)
