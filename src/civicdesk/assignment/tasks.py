"""Background jobs of assignment: one case landing in a queue, the periodic sweep, and an agent's away change."""

from django_tasks import task

from civicdesk.assignment import actions


@task(queue_name="default")
def assign_case(case_id: int) -> int | None:
    """Give a case that landed in an automatic team's queue to an available agent (the assignee's id, or None)."""
    outcome = actions.assign_case(case_id)
    return outcome.assignee.pk if outcome else None


@task(queue_name="default")
def assign_waiting(team_ids: list[int] | None = None) -> int:
    """Every ASSIGN_SWEEP_SECONDS (settings.PERIODIC_TASKS): waiting cases go to agents who became available."""
    return actions.assign_waiting(team_ids)


@task(queue_name="default")
def after_away_change(user_id: int) -> int:
    return actions.after_away_change(user_id)
