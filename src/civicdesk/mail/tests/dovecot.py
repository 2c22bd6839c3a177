"""A throwaway dovecot IMAP server for tests: own config, own maildir, one passwd-file user, 127.0.0.1 only."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "resident-mail", "secret-imap-pass"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
login_trusted_networks = 127.0.0.0/8
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/mail/%u
mail_uid = {uid}
mail_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path


def dovecot_available() -> bool:
    return os.path.exists(DOVECOT)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _users() -> tuple[str, str, str, int, int]:
    """(internal user, its group, login user, mail uid, mail gid): dovecot's own users as root, else ourselves."""
    if os.geteuid() == 0:
        internal = pwd.getpwnam("dovecot")
        login = pwd.getpwnam("dovenull")
        group = _group_name(internal.pw_gid)
        return internal.pw_name, group, login.pw_name, internal.pw_uid, internal.pw_gid
    me = pwd.getpwuid(os.geteuid())
    return me.pw_name, _group_name(me.pw_gid), me.pw_name, me.pw_uid, me.pw_gid


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


@contextmanager
def running_dovecot() -> Iterator[ImapServer]:
    """Start dovecot in the foreground (-F) and stop it afterwards."""
    internal, group, login, uid, gid = _users()
    root = Path(tempfile.mkdtemp(prefix="civicdesk-dovecot-"))
    port = _free_port()
    for sub in ("run", "state", "mail", "home"):
        (root / sub).mkdir()
    os.chmod(root, 0o755)
    if os.geteuid() == 0:
        for sub in ("mail", "home"):
            os.chown(root / sub, uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, port=port, internal_user=internal, internal_group=group,
                                    login_user=login, uid=uid, gid=gid))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    raise RuntimeError(f"dovecot did not start: {output}\n{log}") from None
                time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, USER, PASSWORD, root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(root, ignore_errors=True)
