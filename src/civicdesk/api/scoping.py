"""The REST API's case lookups by scope, shared by every router: 404 when the case is not the user's to see, 403
when they may see it but not change it (the staff pages' rule)."""

from django.http import HttpRequest
from ninja.errors import HttpError

from civicdesk.cases.models import Case
from civicdesk.cases.permissions import can_act, visible_cases


def case_for(request: HttpRequest, number: str, *, to_change: bool = False) -> Case:
    """404 when the user may not see the case, 403 when they may see but not change it, 409 when it was merged
    into another case (read-only)."""
    case = (visible_cases(request.user).select_related("agency", "team", "assignee", "service", "contact",
                                                      "merged_into")
            .filter(number=number.strip().upper()).first())
    if case is None:
        raise HttpError(404, f"There is no case {number} that you can see.")
    if to_change and not can_act(request.user, case):
        raise HttpError(403, f"Case {case.number} belongs to another agency.")
    if to_change and case.merged_into is not None:
        raise HttpError(409, f"Case {case.number} was merged into {case.merged_into.number} and is read-only; "
                             f"make changes on {case.merged_into.number}.")
    return case
