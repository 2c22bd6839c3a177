"""The site's own address for links in mail and feeds: SITE_URL when set, else the host and port being served."""

from collections.abc import Mapping

WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::", "[::]"})  # listening everywhere: link to this machine


def default_site_url(host: str, port: int | str) -> str:
    """http://HOST:PORT of the running site; a wildcard bind address becomes 127.0.0.1."""
    name = host.strip()
    if name in WILDCARD_HOSTS:
        name = "127.0.0.1"
    elif ":" in name and not name.startswith("["):
        name = f"[{name}]"  # an IPv6 address
    return f"http://{name}:{port}"


def site_url_from(environ: Mapping[str, str]) -> str:
    """SITE_URL if set; otherwise it follows HOST and PORT (what `civicdesk run` and `make run` serve)."""
    explicit = environ.get("SITE_URL", "").strip()
    if explicit:
        return explicit
    port = environ.get("PORT", "").strip() or "8000"
    return default_site_url(environ.get("HOST", "127.0.0.1"), port)
