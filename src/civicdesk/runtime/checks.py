"""System checks that stop `civicdesk run`, `migrate` and `check --deploy` on an unsafe configuration."""

import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from civicdesk.runtime.secret_key import KEY_FILE_NAME, is_known_default

DEFAULT_KEY_HINT = ("Unset SECRET_KEY to let CivicDesk generate a random key into VAR_DIR/secret_key, or set it to "
                    "a long random string, e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.")


def default_key_error() -> Error:
    return Error("SECRET_KEY is a published default, empty or too short; CivicDesk will not serve with it.",
                 hint=DEFAULT_KEY_HINT, id="civicdesk.E001")


@register(Tags.security, deploy=True)
def secret_key_is_not_default_for_deploy(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """`check --deploy`: fail on a known default key even with DEBUG on (with it off, the check below reports)."""
    if not settings.DEBUG:
        return []
    return [default_key_error()] if is_known_default(str(settings.SECRET_KEY)) else []


@register(Tags.security)
def secret_key_is_not_default_without_debug(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Every command with checks (run, migrate, ...): fail on a known default key when DEBUG is off."""
    if settings.DEBUG:
        return []
    return [default_key_error()] if is_known_default(str(settings.SECRET_KEY)) else []


@register(Tags.security)
def secret_key_file_is_private(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when VAR_DIR/secret_key (in use) can be read by other users of the machine."""
    path = Path(settings.VAR_DIR) / KEY_FILE_NAME
    try:
        in_use = path.read_text(encoding="ascii").strip() == settings.SECRET_KEY
        mode = stat.S_IMODE(path.stat().st_mode)
    except (OSError, UnicodeDecodeError):
        return []
    if in_use and mode & 0o077:
        return [Warning(f"{path} is readable by other users (mode {mode:o}).", hint=f"chmod 600 {path}",
                        id="civicdesk.W001")]
    return []


LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "0.0.0.0"})


@register(Tags.compatibility)
def outbound_mail_does_not_loop_into_the_listener(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Warn when EMAIL_HOST/EMAIL_PORT is our own inbound SMTP listener: every reply would come back as new mail."""
    host = str(settings.EMAIL_HOST).strip().lower()
    if host in LOCAL_HOSTS | {str(settings.SMTP_LISTEN_HOST).lower()} and \
            int(settings.EMAIL_PORT) == int(settings.SMTP_LISTEN_PORT):
        return [Warning(
            f"EMAIL_HOST and EMAIL_PORT ({host}:{settings.EMAIL_PORT}) are CivicDesk's own inbound SMTP listener "
            "(SMTP_PORT): replies to residents would be received back as new mail.",
            hint="Point EMAIL_HOST at your mail server, or leave it empty to keep mail in the built-in outbox.",
            id="civicdesk.W002")]
    return []
