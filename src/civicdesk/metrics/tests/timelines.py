"""Case timelines written row by row at chosen moments (the raw timeline metrics read), for hand-computed tests."""

from datetime import datetime, time
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from civicdesk.agencies.models import Agency
from civicdesk.audit.models import AuditAction, AuditEntry
from civicdesk.calendars.actions import calendar_of, set_hours
from civicdesk.cases.models import Case, CaseStatus, CaseTransfer, Direction, Message

NY = ZoneInfo("America/New_York")
HOUR = 3600
_numbers = count(1)


def ny(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=NY)


def nine_to_five(agency: Agency) -> None:
    """Monday to Friday 09:00-17:00 in New York, US federal holidays."""
    calendar = calendar_of(agency=agency)
    calendar.time_zone = "America/New_York"
    calendar.save()
    set_hours(calendar, [[(time(9), time(17))]] * 5 + [[], []], actor=None)


class Timeline:
    """One case: each call adds a row of its timeline at `at`; the case's own fields follow as the actions do."""

    def __init__(self, agency: Agency, created: datetime, *, channel: str = "web", **fields: Any) -> None:
        self.case = Case.objects.create(number=f"M-{next(_numbers)}", channel=channel, agency=agency,
                                        created_at=created, updated_at=timezone.now(), **fields)
        AuditEntry.objects.create(at=created, action=AuditAction.CASE_CREATED, case=self.case, actor_label=channel)

    def _touch(self, at: datetime, **changes: Any) -> "Timeline":
        for name, value in changes.items():
            setattr(self.case, name, value)
        self.case.updated_at = timezone.now()  # when the row was written, as cases.actions.touch stamps it
        self.case.save()
        return self

    def message(self, at: datetime, direction: str, *, automatic: bool = False) -> "Timeline":
        Message.objects.create(case=self.case, direction=direction, channel=self.case.channel, is_automatic=automatic,
                               body_text="…", created_at=at)
        changes: dict[str, Any] = {}
        if direction == Direction.OUTBOUND and not automatic and self.case.first_response_at is None:
            changes["first_response_at"] = at
        return self._touch(at, **changes)

    def inbound(self, at: datetime) -> "Timeline":
        return self.message(at, Direction.INBOUND)

    def reply(self, at: datetime) -> "Timeline":
        return self.message(at, Direction.OUTBOUND)

    def acknowledgement(self, at: datetime) -> "Timeline":
        return self.message(at, Direction.OUTBOUND, automatic=True)

    def note(self, at: datetime) -> "Timeline":
        return self.message(at, Direction.NOTE)

    def status(self, at: datetime, status: str) -> "Timeline":
        before = self.case.status
        reopen = before in CaseStatus.finished() and status not in CaseStatus.finished()
        AuditEntry.objects.create(at=at, action=AuditAction.REOPENED if reopen else AuditAction.STATUS_CHANGED,
                                  case=self.case, actor_label="test", before={"status": before},
                                  after={"status": status})
        changes: dict[str, Any] = {"status": status}
        if status == CaseStatus.RESOLVED:
            changes["resolved_at"] = at
        elif status not in CaseStatus.finished():
            changes["resolved_at"] = None
        return self._touch(at, **changes)

    def transfer(self, at: datetime, to: Agency) -> "Timeline":
        CaseTransfer.objects.create(case=self.case, from_agency=self.case.agency, to_agency=to, reason="Theirs",
                                    at=at)
        AuditEntry.objects.create(at=at, action=AuditAction.TRANSFERRED, case=self.case, actor_label="test",
                                  before={"agency": self.case.agency.slug}, after={"agency": to.slug})
        return self._touch(at, agency=to, team=None, assignee=None)
