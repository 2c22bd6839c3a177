"""Forms of the team, transfer-approval and staff-account pages of supervisors and administrators."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from civicdesk.agencies.models import Agency, StaffRole, Team
from civicdesk.assignment.models import MAX_CAPACITY, AssignmentMode
from civicdesk.inbox.forms import TRANSFER_REASON_LENGTH, StaffChoiceField, StaffForm

User = get_user_model()


class AwayForm(StaffForm):
    id_prefix = "away"
    away = forms.BooleanField(required=False, label=gettext_lazy("Away"))
    away_until = forms.DateField(required=False, label=gettext_lazy("Last day away (optional)"),
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=gettext_lazy("Empty: away until marked back."))

    def clean_away_until(self) -> Any:
        until = self.cleaned_data.get("away_until")
        if until is not None and until < timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The last day away is in the past."))
        return until


def active_staff_of(agency_id: int) -> Any:
    return (User.objects.filter(staff__agencies=agency_id, is_active=True).select_related("staff").distinct()
            .order_by("first_name", "last_name", "username"))


class HandOverForm(StaffForm):
    """Move one person's open cases of one agency to someone else of that agency, or leave them unassigned."""

    id_prefix = "handover"
    agency = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assignee = StaffChoiceField(queryset=User.objects.none(), required=False, label=gettext_lazy("Hand over to"),
                                empty_label=gettext_lazy("Nobody (leave them unassigned)"))

    def __init__(self, *args: Any, member: Any, agencies: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agencies = agencies
        agency = self.data.get("agency") if self.is_bound else self.initial.get("agency")
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        if str(agency or "").isdigit() and int(str(agency)) in agencies:
            field.queryset = active_staff_of(int(str(agency))).exclude(pk=member.pk)

    def clean_agency(self) -> int:
        agency = self.cleaned_data["agency"]
        if agency not in self.agencies:
            raise forms.ValidationError(gettext_lazy("Choose one of this person's agencies that you supervise."))
        return int(agency)


class TeamMemberForm(StaffForm):
    id_prefix = "member"
    member = StaffChoiceField(queryset=User.objects.none(), label=gettext_lazy("Staff member"))

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["member"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = active_staff_of(team.agency_id)


class TransferApprovalForm(StaffForm):
    id_prefix = "approval"
    required = forms.BooleanField(required=False, label=gettext_lazy("Transfers out need a supervisor's approval"))


class RejectTransferForm(StaffForm):
    id_prefix = "reject"
    reason = forms.CharField(label=gettext_lazy("Why the transfer is rejected"), max_length=TRANSFER_REASON_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}), strip=True)


class TeamChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.agency.name} / {obj.name}"


class StaffAccountForm(StaffForm):
    """A staff account's name, email, role, agencies and teams; a new one also gets its username."""

    id_prefix = "account"
    username = forms.RegexField(regex=r"^[\w.@+-]+\Z", max_length=150, label=gettext_lazy("Username"),
                                help_text=gettext_lazy("Letters, digits and . @ + - _ only."))
    first_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("First name"))
    last_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Last name"))
    email = forms.EmailField(label=gettext_lazy("Email"),
                             help_text=gettext_lazy("The link to choose a password goes here."))
    role = forms.ChoiceField(choices=StaffRole.choices, label=gettext_lazy("Role"), initial=StaffRole.AGENT)
    agencies = forms.ModelMultipleChoiceField(queryset=Agency.objects.filter(is_active=True).order_by("name"),
                                              required=False, widget=forms.CheckboxSelectMultiple,
                                              label=gettext_lazy("Agencies"))
    teams = TeamChoices(queryset=Team.objects.select_related("agency").order_by("agency__name", "name"),
                        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Teams"),
                        help_text=gettext_lazy("Only teams of the agencies ticked above."))

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["username"]
        for name in ("agencies", "teams"):
            self.fields[name].widget.attrs.pop("class", None)  # checkboxes: styled by the template

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"])
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(gettext_lazy("That username is taken."))
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        agencies = {a.pk for a in data.get("agencies") or []}
        outside = [t for t in data.get("teams") or [] if t.agency_id not in agencies]
        if outside:
            self.add_error("teams", gettext_lazy("Each team must belong to one of the ticked agencies."))
        return data


class ActiveForm(StaffForm):
    id_prefix = "active"
    active = forms.BooleanField(required=False)


class TeamAssignmentForm(StaffForm):
    """A team's assignment rule, capacity and return-when-away, and each member's own capacity (own_<user id>)."""

    id_prefix = "assign"
    mode = forms.ChoiceField(choices=AssignmentMode.choices, widget=forms.RadioSelect,
                             label=gettext_lazy("How cases are assigned"))
    capacity = forms.IntegerField(min_value=1, max_value=MAX_CAPACITY, label=gettext_lazy("Open cases per agent"),
                                  help_text=gettext_lazy("An agent with this many open cases of the agency gets no "
                                                         "more cases automatically."))
    return_when_away = forms.BooleanField(
        required=False, label=gettext_lazy("Return unanswered cases to the queue when an agent goes away"),
        help_text=gettext_lazy("Their cases of this team with no first response yet go back to the queue and to "
                               "someone available."))

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mode"].widget.attrs.pop("class", None)  # radios: styled by the template
        self.members = members
        for user in members:
            self.fields[f"own_{user.pk}"] = forms.IntegerField(
                required=False, min_value=0, max_value=MAX_CAPACITY,
                label=gettext_lazy("Own capacity of %(name)s") % {"name": user.get_full_name() or user.username})

    def own_capacities(self) -> dict[int, int | None]:
        return {user.pk: self.cleaned_data.get(f"own_{user.pk}") for user in self.members}


class MyAwayForm(StaffForm):
    id_prefix = "my-away"
    away = forms.BooleanField(required=False)
