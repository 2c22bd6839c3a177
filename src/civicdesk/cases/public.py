"""What the public is told about a case's status: plain words for residents, shared by the portal and the maps."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from civicdesk.cases.models import CaseStatus

PUBLIC_STATUS: dict[str, Any] = {
    CaseStatus.NEW: _("Received"),
    CaseStatus.OPEN: _("Open"),
    CaseStatus.IN_PROGRESS: _("In progress"),
    CaseStatus.WAITING: _("Waiting for information from the resident"),
    CaseStatus.RESOLVED: _("Resolved"),
    CaseStatus.CLOSED: _("Closed"),
}


def public_status_label(status: str) -> str:
    """The resident-facing name of a status (CaseStatus labels are staff words)."""
    label = PUBLIC_STATUS.get(status)
    return str(label) if label is not None else str(CaseStatus(status).label if status in CaseStatus.values else status)
