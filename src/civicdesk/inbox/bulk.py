"""Bulk actions of the inbox: one change to many selected cases, each through its own cases.actions call (so each
case is audited as the single-case action audits it), with every refused row listed back in plain words."""

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import QuerySet, TextChoices
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy, ngettext

from civicdesk.agencies.models import StaffProfile, Team
from civicdesk.cases import actions, events
from civicdesk.cases.models import Case, CaseStatus, Priority, Tag
from civicdesk.cases.permissions import actionable_only, visible_cases
from civicdesk.core import prefetch
from civicdesk.inbox.forms import StaffForm, staff_label

MAX_SELECTED = 100  # two pages' worth; "select all on this page" selects at most one page (50)
KEEP = "keep"
NOBODY = "none"


class BulkAction(TextChoices):
    ASSIGN = "assign", gettext_lazy("Assign")
    STATUS = "status", gettext_lazy("Change status")
    PRIORITY = "priority", gettext_lazy("Change priority")
    ADD_TAG = "add_tag", gettext_lazy("Add a tag")
    REMOVE_TAG = "remove_tag", gettext_lazy("Remove a tag")
    MERGE = "merge", gettext_lazy("Merge into one case")


class BulkForm(StaffForm):
    """The bulk bar: which action, its one value, and the selected case numbers (the row checkboxes)."""

    id_prefix = "bulk"
    action = forms.ChoiceField(label=gettext_lazy("Action"),
                               choices=[("", gettext_lazy("Choose an action")), *BulkAction.choices])
    assignee = forms.ChoiceField(label=gettext_lazy("Assign to"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Assign to team"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Set status to"), required=False,
                               choices=[("", gettext_lazy("Choose a status")), *CaseStatus.choices])
    priority = forms.ChoiceField(label=gettext_lazy("Set priority to"), required=False,
                                 choices=[("", gettext_lazy("Choose a priority")), *Priority.choices])
    tag = forms.CharField(label=gettext_lazy("Tag"), required=False, max_length=60)
    survivor = forms.CharField(label=gettext_lazy("Keep this case"), required=False, max_length=32,
                               help_text=gettext_lazy("The other selected cases are closed and their messages move "
                                                      "to it."))
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, staff: QuerySet[Any], teams: QuerySet[Team],
                 **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.staff = {str(u.pk): u for u in staff}
        self.teams = {str(t.pk): t for t in teams}
        assignee = self.fields["assignee"]
        team = self.fields["team"]
        assert isinstance(assignee, forms.ChoiceField) and isinstance(team, forms.ChoiceField)
        assignee.choices = [(KEEP, gettext_lazy("Keep as it is")), (NOBODY, gettext_lazy("Nobody (unassign)")),
                            *((pk, staff_label(u)) for pk, u in self.staff.items())]
        team.choices = [(KEEP, gettext_lazy("Keep as it is")), (NOBODY, gettext_lazy("No team")),
                        *((pk, f"{t.agency.name} / {t.name}") for pk, t in self.teams.items())]
        self.numbers = self._numbers(data)

    @staticmethod
    def _numbers(data: Any) -> list[str]:
        """The selected case numbers, upper case, each once, in the order of the rows."""
        raw = data.getlist("cases") if isinstance(data, QueryDict) else list((data or {}).get("cases", []))
        numbers: list[str] = []
        for value in raw:
            number = str(value).strip().upper()[:32]
            if number and number not in numbers:
                numbers.append(number)
        return numbers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if not self.numbers:
            raise forms.ValidationError(gettext("Select at least one case."), code="none_selected")
        if len(self.numbers) > MAX_SELECTED:
            raise forms.ValidationError(gettext("Select at most %(count)d cases at a time.")
                                        % {"count": MAX_SELECTED}, code="too_many")
        if action == BulkAction.ASSIGN and data.get("assignee") in (KEEP, "", None) and data.get("team") in (
                KEEP, "", None):
            self.add_error("assignee", gettext("Choose an assignee or a team."))
        elif action == BulkAction.STATUS and not data.get("status"):
            self.add_error("status", gettext("Choose a status."))
        elif action == BulkAction.PRIORITY and not data.get("priority"):
            self.add_error("priority", gettext("Choose a priority."))
        elif action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG) and not actions.clean_tag_name(
                data.get("tag", "")):
            self.add_error("tag", gettext("Type the tag."))
        elif action == BulkAction.MERGE:
            survivor = str(data.get("survivor", "")).strip().upper()
            if len(self.numbers) < 2:
                raise forms.ValidationError(gettext("Select at least two cases to merge."), code="merge_one")
            if survivor not in self.numbers:
                self.add_error("survivor", gettext("Choose which of the selected cases to keep."))
            data["survivor"] = survivor
        return data

    def back_query(self) -> QueryDict:
        """The inbox filters the form was sent from (re-validated by the inbox form when the list is drawn)."""
        return QueryDict(str(self.data.get("back", ""))[:2000])


@dataclass
class Refusal:
    number: str
    reason: str
    visible: bool = True  # a case the user can open (the message links it)


@dataclass
class BulkResult:
    """What one bulk action did: the cases changed, those that needed no change, and those refused (with why)."""

    action: str
    done: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    detail: dict[str, str] = field(default_factory=dict)

    @property
    def refused_numbers(self) -> set[str]:
        return {r.number for r in self.refused}

    def summary(self) -> str:
        """The outcome in one or two whole sentences (the refusals are listed separately)."""
        count = len(self.done)
        if not count:
            done = gettext("No case was changed.")
        elif self.action == BulkAction.ASSIGN:
            done = ngettext("Assignment saved on %(count)d case.", "Assignment saved on %(count)d cases.", count)
        elif self.action == BulkAction.STATUS:
            done = ngettext("Status set to %(status)s on %(count)d case.",
                            "Status set to %(status)s on %(count)d cases.", count)
        elif self.action == BulkAction.PRIORITY:
            done = ngettext("Priority set to %(priority)s on %(count)d case.",
                            "Priority set to %(priority)s on %(count)d cases.", count)
        elif self.action == BulkAction.ADD_TAG:
            done = ngettext("Tag “%(tag)s” added to %(count)d case.", "Tag “%(tag)s” added to %(count)d cases.",
                            count)
        elif self.action == BulkAction.REMOVE_TAG:
            done = ngettext("Tag “%(tag)s” removed from %(count)d case.",
                            "Tag “%(tag)s” removed from %(count)d cases.", count)
        else:
            done = ngettext("%(count)d case merged into %(survivor)s.", "%(count)d cases merged into %(survivor)s.",
                            count)
        done = done % {"count": count, **self.detail}
        if self.unchanged:
            done += " " + ngettext("%(count)d selected case needed no change.",
                                   "%(count)d selected cases needed no change.",
                                   len(self.unchanged)) % {"count": len(self.unchanged)}
        return done

    def refused_heading(self) -> str:
        return ngettext("%(count)d case was not changed:", "%(count)d cases were not changed:",
                        len(self.refused)) % {"count": len(self.refused)}


def _load(user: Any, numbers: list[str], *, with_tags: bool) -> tuple[dict[str, Case], set[int]]:
    """The selected cases the user can see (one query) and the ids of those they may change (one query)."""
    cases = visible_cases(user).filter(number__in=numbers).select_related("agency", "team", "assignee",
                                                                          "merged_into")
    if with_tags:
        cases = cases.prefetch_related("tags")
    found = {case.number: case for case in cases}
    ids = [case.pk for case in found.values()]
    actionable = set(actionable_only(user, Case.objects.filter(pk__in=ids)).values_list("pk", flat=True)) if ids \
        else set()
    return found, actionable


def _read_only_reason(case: Case) -> str:
    return gettext("Read only: it now belongs to %(agency)s, so you can read it but not change it.") % {
        "agency": case.agency.name}


class _Assignment:
    """The chosen assignee and team, checked per case against the case's agency (like the case page's form)."""

    def __init__(self, form: BulkForm) -> None:
        self.keep_assignee = form.cleaned_data["assignee"] in (KEEP, "")
        self.keep_team = form.cleaned_data["team"] in (KEEP, "")
        self.assignee = form.staff.get(form.cleaned_data["assignee"])
        self.team = form.teams.get(form.cleaned_data["team"])
        self.assignee_agencies: set[int] = set()
        if self.assignee is not None:
            self.assignee_agencies = set(StaffProfile.agencies.through.objects.filter(
                staffprofile__user_id=self.assignee.pk).values_list("agency_id", flat=True))

    def refusal(self, case: Case) -> str | None:
        if not self.keep_assignee and self.assignee is not None and case.agency_id not in self.assignee_agencies:
            return gettext("%(person)s is not on the staff of %(agency)s.") % {
                "person": staff_label(self.assignee), "agency": case.agency.name}
        if not self.keep_team and self.team is not None and self.team.agency_id != case.agency_id:
            return gettext("The team %(team)s belongs to %(team_agency)s, not to %(agency)s.") % {
                "team": self.team.name, "team_agency": self.team.agency.name, "agency": case.agency.name}
        return None

    def target(self, case: Case) -> tuple[Any, Team | None]:
        assignee = case.assignee if self.keep_assignee else self.assignee
        team = case.team if self.keep_team else self.team
        return assignee, team


def run_bulk(user: Any, form: BulkForm) -> BulkResult:
    """Apply the valid form's action to each selected case in its own transaction; refusals never stop the rest."""
    action = form.cleaned_data["action"]
    result = BulkResult(action=action)
    tag_action = action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG)
    found, actionable = _load(user, form.numbers, with_tags=tag_action)
    assignment = _Assignment(form) if action == BulkAction.ASSIGN else None
    tag: Tag | None = None
    if tag_action:
        name = actions.clean_tag_name(form.cleaned_data["tag"])
        result.detail["tag"] = name
        tag = (Tag.objects.get_or_create(name=name)[0] if action == BulkAction.ADD_TAG
               else Tag.objects.filter(name=name).first())
    if action == BulkAction.STATUS:
        result.detail["status"] = str(CaseStatus(form.cleaned_data["status"]).label)
    if action == BulkAction.PRIORITY:
        result.detail["priority"] = str(Priority(form.cleaned_data["priority"]).label)
    survivor = found.get(form.cleaned_data.get("survivor", "")) if action == BulkAction.MERGE else None
    if action == BulkAction.MERGE:
        result.detail["survivor"] = form.cleaned_data["survivor"]
    ahead = events.lookahead(sorted(actionable)) if not tag_action else {}  # what the case events read, at once
    with prefetch.ahead(ahead):
        for number in form.numbers:
            _apply_one(user, form, result, number, found.get(number), actionable, assignment, tag, survivor)
    return result


def _apply_one(user: Any, form: BulkForm, result: BulkResult, number: str, case: Case | None, actionable: set[int],
               assignment: _Assignment | None, tag: Tag | None, survivor: Case | None) -> None:
    action = form.cleaned_data["action"]
    if case is None:
        result.refused.append(Refusal(number, gettext("There is no such case that you can see."), visible=False))
        return
    if case.pk not in actionable:
        result.refused.append(Refusal(number, _read_only_reason(case)))
        return
    try:
        changed = _apply(user, form, case, action, assignment=assignment, tag=tag, survivor=survivor,
                         survivor_ok=survivor is not None and survivor.pk in actionable)
    except ValueError as exc:  # the action refused (merged away, an illegal status change, ...)
        result.refused.append(Refusal(number, str(exc)))
        return
    if changed is not None:  # None: the survivor of a merge
        (result.done if changed else result.unchanged).append(number)


def _apply(user: Any, form: BulkForm, case: Case, action: str, *, assignment: _Assignment | None,
           tag: Tag | None, survivor: Case | None, survivor_ok: bool) -> bool | None:
    """One case: True when changed, False when it already was so, None for the case a merge keeps."""
    data = form.cleaned_data
    if action == BulkAction.ASSIGN:
        assert assignment is not None
        refusal = assignment.refusal(case)
        if refusal:
            raise actions.CaseRefused(refusal)
        assignee, team = assignment.target(case)
        if (getattr(assignee, "pk", None), getattr(team, "pk", None)) == (case.assignee_id, case.team_id):
            actions.refuse_if_merged(case)
            return False
        actions.assign(case, actor=user, assignee=assignee, team=team)
        return True
    if action == BulkAction.STATUS:
        if case.status == data["status"]:
            actions.refuse_if_merged(case)
            return False
        actions.change_status(case, actor=user, status=data["status"])
        return True
    if action == BulkAction.PRIORITY:
        if case.priority == data["priority"]:
            actions.refuse_if_merged(case)
            return False
        actions.set_priority(case, actor=user, priority=data["priority"])
        return True
    if action in (BulkAction.ADD_TAG, BulkAction.REMOVE_TAG):
        if tag is None:  # removing a tag no case has
            actions.refuse_if_merged(case)
            return False
        return actions.change_tag(case, actor=user, tag=tag, present=action == BulkAction.ADD_TAG)
    if survivor is None or not survivor_ok:
        raise actions.CaseRefused(gettext("The case to keep, %(number)s, is not one you can change.")
                                  % {"number": data["survivor"]})
    if case.pk == survivor.pk:
        return None
    actions.merge_cases(case, survivor, actor=user)
    return True
