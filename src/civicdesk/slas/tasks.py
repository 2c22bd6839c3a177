"""Background job of SLAs: the sweep that warns, marks breaches and escalates (settings.PERIODIC_TASKS)."""

import logging

from django_tasks import task

from civicdesk.slas.sweep import sweep

log = logging.getLogger(__name__)


@task(queue_name="default")
def sweep_targets() -> dict[str, int]:
    """Warn of and mark every target past its warning point or due time (see slas.sweep)."""
    result = sweep()
    if result.breached or result.warned:
        log.info("SLA sweep: %s warned, %s breached, %s escalated", result.warned, result.breached, result.escalated)
    return {"warned": result.warned, "breached": result.breached, "escalated": result.escalated,
            "notified": result.notified}
