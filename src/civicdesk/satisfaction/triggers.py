"""The case event that starts it all: a case just resolved (or closed) asks for the survey, once, after commit."""

from civicdesk.cases.events import CaseChanged
from civicdesk.cases.models import CaseStatus
from civicdesk.core.jobs import AFTER_RESOLUTION, enqueue_on_commit


def on_case_changed(event: CaseChanged) -> None:
    """A status change to resolved or closed (not a merge into another case) queues satisfaction's job; the job
    itself makes sure a case is asked only once, however often it is resolved."""
    case = event.case
    if "status" not in event.fields or case.status not in CaseStatus.finished() or case.merged_into_id:
        return
    enqueue_on_commit(AFTER_RESOLUTION, case.pk)
