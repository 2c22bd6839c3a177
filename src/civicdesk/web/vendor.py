"""The npm files the pages use, served and collected as /static/vendor/...; the rest of node_modules never is.

VENDOR_FILES lists, per package, the glob patterns of the files the templates load; the fonts and images a listed
stylesheet points to with url(...) come along by themselves (USWDS's fonts and icons, Leaflet's layer images).
VendorFinder is a staticfiles finder over exactly those files, so WhiteNoise (which serves through the finders)
and collectstatic see nothing else.
"""

import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, overload

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"
LICENSES = ["LICENSE", "LICENSE.md", "LICENSE.txt"]
VENDOR_FILES: dict[str, list[str]] = {
    "@uswds/uswds": [
        "dist/css/uswds.min.css", "dist/js/uswds.min.js", "dist/js/uswds-init.min.js",
        "dist/img/favicons/favicon.ico", "dist/img/usa-icons/close.svg",
        "dist/img/usa-icons-bg/search--white.svg",  # the search button's icon on phones (its text is hidden there)
    ],
    "htmx.org": ["dist/htmx.min.js"],
    "chart.js": ["dist/chart.umd.min.js"],
    "leaflet": ["dist/leaflet.js", "dist/leaflet.css", "dist/images/*"],  # leaflet.js finds its markers there
    "leaflet.markercluster": ["dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
                              "dist/MarkerCluster.Default.css"],
    "leaflet.heat": ["dist/leaflet-heat.js"],
}


def node_modules() -> Path:
    return Path(settings.NODE_MODULES_DIR)


@functools.cache
def listed_files(root: Path) -> dict[str, Path]:
    """'package/relative/path' -> absolute path, for every existing file the manifest lists (and licences)."""
    found: dict[str, Path] = {}
    for package, patterns in VENDOR_FILES.items():
        base = root / package
        for pattern in [*patterns, *LICENSES]:
            for path in sorted(base.glob(pattern)):
                if path.is_file() and path.resolve().is_relative_to(base.resolve()):
                    found[f"{package}/{path.relative_to(base).as_posix()}"] = path
                    if path.suffix == ".css":
                        found.update({f"{package}/{asset.relative_to(base).as_posix()}": asset
                                      for asset in stylesheet_assets(path, base)})
    return found


CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+?)["']?\s*\)""")


def stylesheet_assets(stylesheet: Path, base: Path) -> set[Path]:
    """The package files a stylesheet loads with url(...): relative references only, inside the package."""
    assets = set()
    for reference in CSS_URL.findall(stylesheet.read_text(encoding="utf-8", errors="replace")):
        if reference.startswith(("data:", "#", "/")) or "://" in reference:
            continue
        target = (stylesheet.parent / reference.split("?")[0].split("#")[0]).resolve()
        if target.is_file() and target.is_relative_to(base.resolve()):
            assets.add(base / target.relative_to(base.resolve()))
    return assets


class VendorFinder(BaseFinder):
    """Finds `vendor/<package>/<file>` only for the files in VENDOR_FILES."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=node_modules())
        self.storage.prefix = PREFIX  # type: ignore[attr-defined]

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        if not node_modules().exists():
            return [Warning(f"{node_modules()} does not exist: run `make setup` (npm ci) to install the "
                            "front-end packages.", id="civicdesk.W002")]
        return []

    @overload
    def find(self, path: str, find_all: Literal[False] = False) -> str | None: ...

    @overload
    def find(self, path: str, find_all: Literal[True]) -> list[str]: ...

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str] | None:
        find_all = bool(kwargs.get("all", find_all))
        match = self._match(path)
        if find_all:
            return [match] if match else []
        return match

    def _match(self, path: str) -> str | None:
        prefix = f"{PREFIX}/"
        if not path.startswith(prefix):
            return None
        found = listed_files(node_modules()).get(path[len(prefix):])
        return str(found) if found else None

    def list(self, ignore_patterns: Iterable[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        for relative in listed_files(node_modules()):
            if not ignore_patterns or not utils.matches_patterns(relative, list(ignore_patterns)):
                yield relative, self.storage
