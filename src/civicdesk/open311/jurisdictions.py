"""Which jurisdictions this endpoint serves (settings.OPEN311_JURISDICTIONS) and how jurisdiction_id is checked.

OPEN311_JURISDICTIONS is a comma-separated list of `id` or `id=agency-slug` entries:
- empty: one jurisdiction; jurisdiction_id is optional and not checked;
- one entry: one jurisdiction; jurisdiction_id may be absent or empty, and must match when given (404 if not);
- several entries: jurisdiction_id is required (400 if missing, 404 if unknown); an entry with `=agency-slug`
  serves only that agency and its departments, one without serves everything.
"""

from dataclasses import dataclass

from django.conf import settings

from civicdesk.agencies.models import Agency
from civicdesk.open311.parsing import Open311Error


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    agency_slug: str = ""

    def agency_ids(self) -> list[int] | None:
        """The agencies this jurisdiction covers (the agency and its departments), or None for all."""
        if not self.agency_slug:
            return None
        agency = Agency.objects.filter(slug=self.agency_slug).first()
        if agency is None:
            return []
        return [agency.pk, *agency.departments.values_list("pk", flat=True)]


def configured() -> list[Jurisdiction]:
    entries = []
    for entry in settings.OPEN311_JURISDICTIONS:
        jid, _, slug = entry.partition("=")
        if jid.strip():
            entries.append(Jurisdiction(jid.strip(), slug.strip()))
    return entries


def resolve(value: str | None) -> Jurisdiction | None:
    """The jurisdiction a call is for; None means the whole site (a single, unnamed jurisdiction)."""
    entries = configured()
    if not entries:
        return None
    if not value:
        if len(entries) == 1:
            return entries[0]
        raise Open311Error(400, "jurisdiction_id: required, this endpoint serves several jurisdictions "
                                f"({', '.join(e.id for e in entries)}).")
    for entry in entries:
        if entry.id.lower() == value.strip().lower():
            return entry
    raise Open311Error(404, f"jurisdiction_id: '{value[:80]}' is not served here.")
