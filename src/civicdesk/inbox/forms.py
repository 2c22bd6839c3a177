"""Forms of the staff pages: the composer and the small one-action forms on a case and a contact (the inbox's filters
are in filter_forms.py)."""

import mimetypes
from typing import Any

import filetype
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy

from civicdesk.agencies.models import Agency, Service, StaffProfile, Team
from civicdesk.cases.models import Case, CaseStatus, Priority, ReplyAudience, normalize_tag_name
from civicdesk.channels.outbound import OutboundAttachment
from civicdesk.contacts.models import Identity, IdentityKind
from civicdesk.conversations.drafts import MAX_FILES
from civicdesk.conversations.replies import carries_files, reply_identities, reply_target
from civicdesk.mail.attachments import safe_filename

User = get_user_model()
ANY: list[tuple[Any, Any]] = [("", gettext_lazy("Any"))]
TRANSFER_REASON_LENGTH = 2000  # the API's limit too


class StaffLoginForm(AuthenticationForm):
    """Django's sign-in form that also turns away accounts without a staff profile."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not (user.is_superuser or StaffProfile.objects.filter(user=user).exists()):
            raise forms.ValidationError("This account has no access to the staff pages.", code="no_staff_profile")


def uswds_widgets(form: forms.BaseForm) -> None:
    """USWDS classes on every widget, so templates can render `{{ field }}` directly."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            css = "usa-select"
        elif isinstance(widget, forms.Textarea):
            css = "usa-textarea"
        else:
            css = "usa-input"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StaffForm(forms.Form):
    """A form whose element ids carry a per-form prefix (several forms share a page) and USWDS classes."""

    id_prefix = "f"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        uswds_widgets(self)


def staff_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def assignee_label(user: Any) -> str:
    """A person in an assignee picker: their name, and whether they are away (and until when)."""
    name = staff_label(user)
    profile = getattr(user, "staff", None)
    if profile is None or not profile.is_away:
        return name
    if profile.away_until:
        return gettext("%(name)s (away through %(date)s)") % {
            "name": name, "date": date_format(profile.away_until, "M j")}
    return gettext("%(name)s (away)") % {"name": name}


def _text(label: Any, *, required: bool = True, max_length: int | None = None) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length or settings.MAX_TEXT_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 4}), strip=True)


class ComposerMode(models.TextChoices):
    """What the one composer on a case sends: a reply to the resident, or a note only staff see."""

    REPLY = "reply", gettext_lazy("Reply to resident")
    NOTE = "note", gettext_lazy("Internal note (staff only)")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name: a list of uploads (empty when none was chosen)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else [data]
        return [upload for upload in (super(MultipleFileField, self).clean(u, initial) for u in uploads) if upload]


class ReplyForm(StaffForm):
    """The composer: a reply (its audience an explicit choice, private unless staff choose a public update, and the
    resident's address) or an internal note, with files; `mode` says which (a reply when it is missing)."""

    id_prefix = "reply"
    mode = forms.ChoiceField(label=gettext_lazy("Write"), choices=ComposerMode.choices, initial=ComposerMode.REPLY,
                             widget=forms.RadioSelect, required=False)
    audience = forms.ChoiceField(label=gettext_lazy("Who sees this reply"), choices=ReplyAudience.choices,
                                 initial=ReplyAudience.PRIVATE, widget=forms.RadioSelect,
                                 required=False)  # the box always sends it; a POST without one stays private
    send_to = forms.ChoiceField(label=gettext_lazy("Send to"), required=False)
    text = _text(gettext_lazy("Message"))
    attachments = MultipleFileField(label=gettext_lazy("Attach files"), required=False)
    send_as = forms.ChoiceField(choices=ComposerMode.choices, required=False)  # the button pressed, when it says

    def __init__(self, *args: Any, case: Case | None = None, mode: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case, self.forced_mode = case, mode
        self.identities = {str(i.pk): i for i in (reply_identities(case) if case is not None else [])}
        latest = gettext_lazy("Where the resident last wrote")
        send_to = self.fields["send_to"]
        assert isinstance(send_to, forms.ChoiceField)
        send_to.choices = [("", latest)] + [
            (pk, f"{IdentityKind(i.kind).label}: {i.value}") for pk, i in self.identities.items()]
        self.files_to_send: list[OutboundAttachment] = []

    def clean_attachments(self) -> list[OutboundAttachment]:
        uploads = self.cleaned_data.get("attachments") or []
        try:
            self.files_to_send = read_uploads(uploads)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return self.files_to_send

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_note or not self.files_to_send or self.case is None or self.errors:
            return data
        try:
            target = reply_target(self.case, self.identity)
        except ValueError:
            return data  # the reply itself says so
        if not carries_files(target, public=self.is_public):
            self.add_error("attachments", gettext_lazy(
                "Files can go with a private reply by email or with an internal note, not with this reply."))
        return data

    @property
    def chosen_mode(self) -> str:
        data = getattr(self, "cleaned_data", {})
        return self.forced_mode or data.get("send_as") or data.get("mode") or ComposerMode.REPLY

    @property
    def is_note(self) -> bool:
        return self.chosen_mode == ComposerMode.NOTE

    @property
    def is_public(self) -> bool:
        return self.cleaned_data.get("audience") == ReplyAudience.PUBLIC

    @property
    def identity(self) -> Identity | None:
        """The resident's identity the agent picked, or None for the conversation they last wrote on."""
        return self.identities.get(self.cleaned_data.get("send_to") or "")

    def initial_mode(self) -> str:
        """The mode the box shows: the one posted (a bound box with errors keeps it), else a reply."""
        if self.is_bound:
            return self.forced_mode or str(self.data.get("send_as") or self.data.get("mode") or ComposerMode.REPLY)
        return ComposerMode.REPLY


def read_uploads(uploads: list[UploadedFile]) -> list[OutboundAttachment]:
    """The files staff attached, with safe names and a type read from their bytes; ValueError past the limits."""
    if len(uploads) > MAX_FILES:
        raise ValueError(gettext("Attach at most %(n)s files to one message.") % {"n": MAX_FILES})
    if sum(upload.size or 0 for upload in uploads) > settings.MAX_ATTACHMENTS_BYTES:
        limit = settings.MAX_ATTACHMENTS_BYTES // (1024 * 1024)
        raise ValueError(gettext("The files come to more than %(mb)s MB; attach fewer or smaller files.") % {
            "mb": limit})
    files = []
    for number, upload in enumerate(uploads, start=1):
        content = upload.read()
        sniffed = filetype.guess(content[:8192])
        content_type = sniffed.mime if sniffed else (mimetypes.guess_type(upload.name or "")[0]
                                                      or "application/octet-stream")
        files.append(OutboundAttachment(safe_filename(upload.name or "", content_type, number), content_type,
                                        content))
    return files


class NoteForm(StaffForm):
    id_prefix = "note"
    text = _text("Internal note")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return assignee_label(obj)


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class AssignForm(StaffForm):
    """Assignee and team, limited to the staff and teams of the case's agency."""

    id_prefix = "assign"
    assignee = StaffChoiceField(queryset=User.objects.none(), required=False,
                                label=gettext_lazy("Assignee"), empty_label=gettext_lazy("Nobody (unassigned)"))
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, label=gettext_lazy("Team"),
                           empty_label=gettext_lazy("No team"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"assignee": case.assignee_id, "team": case.team_id})
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        assignee.queryset = (User.objects.filter(staff__agencies=case.agency_id, is_active=True).select_related("staff")
                             .distinct().order_by("first_name", "last_name", "username"))
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.filter(agency_id=case.agency_id).order_by("name")


class StatusForm(StaffForm):
    id_prefix = "status"
    status = forms.ChoiceField(choices=CaseStatus.choices, label=gettext_lazy("Status"))


class PriorityForm(StaffForm):
    id_prefix = "priority"
    priority = forms.ChoiceField(choices=Priority.choices, label=gettext_lazy("Priority"))


def _tag_list(text: str) -> list[str]:
    return [t for t in (text or "").split(",") if t.strip()]


class TagsForm(StaffForm):
    """The tag token input: `add` and `remove` change the current tags; `tags` (when sent) replaces them all."""

    id_prefix = "tags"
    tags = forms.CharField(required=False, max_length=1000, label=gettext_lazy("Tags"),
                           help_text=gettext_lazy("Separate tags with commas. Leave empty to remove all tags."))
    add = forms.CharField(required=False, max_length=1000, label=gettext_lazy("Add tags"),
                          help_text=gettext_lazy("Separate tags with commas; capitals and spaces do not make a new "
                                                 "tag (“Lane Blocked” is lane-blocked)."))
    remove = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def names(self, current: list[str] | tuple[str, ...] = ()) -> list[str]:
        """The tags after this change, from the case's `current` ones (normalised by cases.actions.set_tags)."""
        names = _tag_list(self.cleaned_data["tags"]) if "tags" in self.data else list(current)
        names += _tag_list(self.cleaned_data.get("add", ""))
        removed = normalize_tag_name(self.cleaned_data.get("remove", ""))
        return [n for n in names if not removed or normalize_tag_name(n) != removed]


class ServiceForm(StaffForm):
    """What the request is about: the active services, grouped by their agency."""

    id_prefix = "service"
    service = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label=gettext_lazy("Service"))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"service": case.service_id})
        super().__init__(*args, **kwargs)
        services = (Service.objects.filter(Q(is_active=True) | Q(pk=case.service_id or 0))
                    .select_related("agency").order_by("agency__name", "name"))
        self.services = {s.pk: s for s in services}
        groups: dict[str, list[tuple[int, str]]] = {}
        for service in self.services.values():
            groups.setdefault(service.agency.name, []).append((service.pk, service.name))
        field = self.fields["service"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", gettext_lazy("No service")), *groups.items()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "service" not in self.data:  # "No service" is sent as an empty value; a POST without the field is no choice
            raise forms.ValidationError(gettext_lazy("Choose a service."))
        return data

    @property
    def chosen(self) -> Service | None:
        return self.services.get(self.cleaned_data.get("service") or 0)


class LocationForm(StaffForm):
    """A new point (and address) for the case; the case is routed again by it. Without a point only the address
    changes."""

    id_prefix = "location"
    address = forms.CharField(required=False, max_length=300, label=gettext_lazy("Address"))
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, label=gettext_lazy("Latitude"),
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, label=gettext_lazy("Longitude"),
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"address": case.address, "lat": case.lat, "lon": case.lon})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not {"address", "lat", "lon"} & set(self.data):
            raise forms.ValidationError(gettext_lazy("Give an address or a map point."))
        if (data.get("lat") is None) != (data.get("lon") is None) and not self.errors:
            raise forms.ValidationError(gettext_lazy("Give both the latitude and the longitude, or neither."))
        return data


class TransferForm(StaffForm):
    id_prefix = "transfer"
    to_agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label="Transfer to agency")
    reason = _text("Reason for the transfer", max_length=TRANSFER_REASON_LENGTH)

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).exclude(pk=case.agency_id).order_by("name")


class CaseNumberForm(StaffForm):
    number = forms.CharField(max_length=32, label="Case number")

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()


class MergeForm(CaseNumberForm):
    id_prefix = "merge"
    number = forms.CharField(max_length=32, label="Merge this case into case number",
                             help_text="This case is closed and its messages move to that case.")


class LinkForm(CaseNumberForm):
    id_prefix = "link"
    number = forms.CharField(max_length=32, label="Link to case number")


class ContactMergeForm(StaffForm):
    id_prefix = "contact_merge"
    source = forms.IntegerField(min_value=1, label="Contact number to merge into this one",
                                help_text="Its identities and cases move here. You can undo this.")
