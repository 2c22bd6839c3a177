"""The inbox's filter form (its GET parameters onto the shared CaseFilters) and the form that saves them as a view."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from civicdesk.agencies.models import Agency, Service, Team
from civicdesk.cases.filters import CaseFilters, InboxView, SlaState, Sort, StatusGroup, Within
from civicdesk.cases.models import CaseStatus
from civicdesk.channels.models import Channel
from civicdesk.gis.queries import within_area
from civicdesk.inbox.forms import ANY, StaffForm, staff_label


class InboxFilterForm(StaffForm):
    """GET parameters of /staff/; invalid values are reported and ignored, never a crash."""

    id_prefix = "filter"
    q = forms.CharField(required=False, max_length=200, label=gettext_lazy("Search cases"))
    view = forms.ChoiceField(required=False, choices=InboxView.choices)
    status = forms.ChoiceField(required=False, label=gettext_lazy("Status"), choices=[*ANY, *CaseStatus.choices])
    assignee = forms.TypedChoiceField(required=False, label=gettext_lazy("Assignee"), choices=ANY, coerce=int,
                                      empty_value=None)
    sort = forms.ChoiceField(required=False, label=gettext_lazy("Sort"), choices=Sort.choices)
    channel = forms.ChoiceField(required=False, label=gettext_lazy("Channel"), choices=ANY + Channel.choices)
    agency = forms.ChoiceField(required=False, label=gettext_lazy("Agency"), choices=ANY)
    team = forms.TypedChoiceField(required=False, label=gettext_lazy("Team"), choices=ANY, coerce=int,
                                  empty_value=None)
    service = forms.ChoiceField(required=False, label=gettext_lazy("Service"), choices=ANY)
    created_from = forms.DateField(required=False, label=gettext_lazy("Created from"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label=gettext_lazy("Created to"),
                                 widget=forms.DateInput(attrs={"type": "date"}))
    sla = forms.ChoiceField(required=False, label=gettext_lazy("Targets"), choices=[*ANY, *SlaState.choices])
    status_group = forms.ChoiceField(required=False, label=gettext_lazy("Open or finished"),
                                     choices=[*ANY, *StatusGroup.choices])
    area = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput,
                              error_messages={"invalid": gettext_lazy("An area is given by its number.")})
    page = forms.RegexField(required=False, regex=r"^(last|[1-9][0-9]{0,5})$", max_length=6,
                            error_messages={"invalid": gettext_lazy("A page is a number from 1, or “last”.")})

    FILTERS = ("q", "view", "status", "assignee", "sort", "channel", "agency", "team", "service", "created_from",
               "created_to", "sla", "status_group", "area")  # what a saved view keeps, in link order
    MORE = ("channel", "agency", "team", "service", "created_from", "created_to", "sla",
            "status_group")  # behind "More filters"
    DEFAULTS = {"view": InboxView.ALL, "sort": Sort.NEWEST}

    def __init__(self, data: Any, *, agencies: QuerySet[Agency], teams: QuerySet[Team], staff: QuerySet[Any],
                 services: QuerySet[Service]) -> None:
        super().__init__(data)
        choices: dict[str, list[tuple[Any, str]]] = {
            "agency": ANY + [(a.slug, a.name) for a in agencies],
            "team": ANY + [(t.pk, f"{t.agency.name} / {t.name}") for t in teams],
            "assignee": ANY + [(u.pk, staff_label(u)) for u in staff],
            "service": ANY + [(s.code, s.name) for s in services],
        }
        for name, options in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = options

    def clean_area(self) -> Within | None:
        """The area's case filter (the dashboards link their counts per area here), or an error for an area that
        is not in the boundaries in use."""
        number = self.cleaned_data.get("area")
        if number is None:
            return None
        within = within_area(number)
        if within is None:
            raise forms.ValidationError(gettext_lazy("There is no such area in the boundaries in use."))
        return within

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", gettext_lazy("The end date must be on or after the start date."))
        return data

    def value(self, name: str) -> Any:
        """The cleaned value when valid, else the field's empty value: one bad filter does not void the others."""
        return self.cleaned_data.get(name) if name not in self.errors else None

    def to_filters(self) -> CaseFilters:
        """The inbox's parameters in the shared vocabulary: one status, one service, whole days."""
        self.is_valid()
        status, service = self.value("status"), self.value("service")
        return CaseFilters(
            q=self.value("q") or "", statuses=(status,) if status else (), channel=self.value("channel") or "",
            agency=self.value("agency") or "", team=self.value("team"), assignee=self.value("assignee"),
            services=(service,) if service else (), created_from=self.value("created_from"),
            created_to=self.value("created_to"), view=self.value("view") or InboxView.ALL,
            sort=self.value("sort") or Sort.NEWEST, sla=self.value("sla") or "",
            status_group=self.value("status_group") or "", within=self.value("area"),
        )

    def filter_params(self, *, keep_defaults: bool = True) -> dict[str, str]:
        """The valid, non-empty filters as query parameters in FILTERS order (no page): what links carry along and
        a saved view keeps (without the default view and sort)."""
        self.is_valid()
        params = {}
        for name in self.FILTERS:
            raw = str(self.data.get(name, "")).strip()
            if raw and name not in self.errors and (keep_defaults or self.DEFAULTS.get(name) != raw):
                params[name] = raw
        return params

    def more_in_use(self) -> int:
        """How many of the filters behind "More filters" are set (the disclosure says so)."""
        return sum(1 for name in self.MORE if self.filter_params().get(name))

    @property
    def page_number(self) -> int:
        self.is_valid()
        page = self.value("page") or "1"
        return 1 if page == "last" else int(page)

    @property
    def wants_last_page(self) -> bool:
        self.is_valid()
        return self.value("page") == "last"


class SavedViewForm(StaffForm):
    """Save the inbox's current filters under a name; `query` is the inbox query string they come from."""

    id_prefix = "saved_view"
    name = forms.CharField(max_length=80, label=gettext_lazy("Name of the view"))
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
