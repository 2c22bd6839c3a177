"""Background jobs of satisfaction: after a case is resolved, and the periodic send of due "Is it fixed?" questions."""

import logging

from django_tasks import task

from civicdesk.satisfaction import actions

log = logging.getLogger(__name__)


@task(queue_name="default")
def after_resolution(case_id: int) -> None:
    """Queued (by name, on commit) when a case is resolved or closed: its survey, and its "Is it fixed?" date."""
    actions.after_resolution(case_id)


@task(queue_name="default")
def send_due_fix_checks() -> int:
    """Every "Is it fixed?" question now due, each sent once (settings.PERIODIC_TASKS runs this)."""
    sent = 0
    for check_id in actions.due_fix_checks():
        try:
            if actions.send_fix_check(check_id) is not None:
                sent += 1
        except Exception:  # one case's problem must not stop the others; it stays due and is tried again
            log.exception("Fix check %s could not be sent", check_id)
    return sent
