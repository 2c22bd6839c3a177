"""Finding coordinates in free text (emails, SMS): geo: URIs, map links and plain "lat, lon" pairs."""

import re

from civicdesk.gis.geometry import GeometryError, validate_point

NUMBER = r"[-+]?\d{1,3}\.\d{3,}"
PATTERNS = [
    re.compile(rf"\bgeo:({NUMBER}),({NUMBER})", re.IGNORECASE),  # RFC 5870
    re.compile(rf"mlat=({NUMBER})&(?:amp;)?mlon=({NUMBER})"),  # openstreetmap.org links
    re.compile(rf"map=\d+/({NUMBER})/({NUMBER})"),
    re.compile(rf"[@=/]({NUMBER}),\s?({NUMBER})"),  # map links: .../@40.0,-75.0,17z  ?q=40.0,-75.0  /40.0/-75.0
    re.compile(rf"(?:\blat(?:itude)?\s*[:=]?\s*)({NUMBER})[,;\s]+(?:lon(?:g(?:itude)?)?\s*[:=]?\s*)({NUMBER})",
               re.IGNORECASE),
    re.compile(rf"(?<![\d.])({NUMBER})\s*,\s*({NUMBER})(?![\d.])"),  # a bare "40.0012, -75.0034"
]


def find_coordinates(text: str) -> tuple[float, float] | None:
    """The first plausible (lat, lon) in the text, or None; pairs out of range are skipped."""
    for pattern in PATTERNS:
        for match in pattern.finditer(text or ""):
            try:
                return validate_point(match.group(1), match.group(2))
            except GeometryError:
                continue
    return None
