"""Portal forms: a service request with the service's own questions, and the status lookup."""

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from civicdesk.agencies.models import AttributeDatatype, Service, ServiceAttribute
from civicdesk.contacts.identities import InvalidIdentity, normalize_phone
from civicdesk.gis.jurisdiction import Outside, outside_jurisdiction
from civicdesk.portal.photos import MAX_PHOTOS, Photo, read_photos

MAX_SHORT_TEXT = 500
LOCATION_FIELDS = ("address", "lat", "lon", "confirm_outside")
RADIO_LIMIT = 6
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _kind(field: forms.Field, kind: str, input_type: str = "text", inputmode: str = "") -> forms.Field:
    """Tag a field with how the USWDS templates render it."""
    field.kind = kind  # type: ignore[attr-defined]
    field.input_type = input_type  # type: ignore[attr-defined]
    field.inputmode = inputmode  # type: ignore[attr-defined]
    return field


def attribute_field(attribute: ServiceAttribute) -> forms.Field:
    """The form field for one of a service's questions, by its Open311 datatype, in the page's language."""
    label = attribute.text("description")
    required_message = gettext("Answer the question “{label}”.").format(label=label)
    common: dict[str, Any] = {"label": label, "required": attribute.required,
                              "help_text": attribute.text("datatype_description")}
    choices = attribute.choices()
    datatype = attribute.datatype
    field: forms.Field
    if datatype == AttributeDatatype.NUMBER:
        field = forms.FloatField(error_messages={
            "required": required_message,
            "invalid": gettext("Enter a number for “{label}”, like 3 or 2.5.").format(label=label)}, **common)
        return _kind(field, "input", inputmode="decimal")
    if datatype == AttributeDatatype.DATETIME:
        field = forms.DateTimeField(input_formats=DATETIME_FORMATS, error_messages={
            "required": required_message,
            "invalid": gettext("Enter a date and time for “{label}”.").format(label=label)}, **common)
        return _kind(field, "input", input_type="datetime-local")
    if datatype == AttributeDatatype.SINGLE_VALUE_LIST:
        field = forms.ChoiceField(choices=choices, error_messages={
            "required": gettext("Choose an answer for “{label}”.").format(label=label),
            "invalid_choice": gettext("Choose one of the listed answers for “{label}”.").format(label=label)},
            **common)
        return _kind(field, "radio" if len(choices) <= RADIO_LIMIT else "select")
    if datatype == AttributeDatatype.MULTI_VALUE_LIST:
        field = forms.MultipleChoiceField(choices=choices, error_messages={
            "required": gettext("Choose at least one answer for “{label}”.").format(label=label),
            "invalid_choice": gettext("Choose only listed answers for “{label}”.").format(label=label)}, **common)
        return _kind(field, "checkbox")
    limit = settings.MAX_TEXT_LENGTH if datatype == AttributeDatatype.TEXT else MAX_SHORT_TEXT
    field = forms.CharField(max_length=limit, error_messages={
        "required": required_message,
        "max_length": gettext("“{label}” can have at most {limit} characters (it has %(show_value)s).").format(
            label=label, limit=number_format(limit, force_grouping=True))}, **common)
    return _kind(field, "textarea" if datatype == AttributeDatatype.TEXT else "input")


def attribute_value(attribute: ServiceAttribute, value: Any) -> Any:
    """A cleaned answer as it is stored on the case (JSON-friendly)."""
    if attribute.datatype == AttributeDatatype.NUMBER:
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
    if attribute.datatype == AttributeDatatype.DATETIME:
        return value.isoformat()
    return value


def _up_to_characters(limit: int) -> str:
    return gettext("Up to {limit} characters.").format(limit=number_format(limit, force_grouping=True))


class ServiceRequestForm(forms.Form):
    form_token = forms.CharField(widget=forms.HiddenInput)
    description = _kind(forms.CharField(
        label=_("Describe the problem or request"), max_length=settings.MAX_TEXT_LENGTH,
        help_text=lazy(_up_to_characters, str)(settings.MAX_TEXT_LENGTH),
        error_messages={"required": _("Describe the problem or request."),
                        "max_length": _("The description can have at most %(limit_value)s characters "
                                        "(it has %(show_value)s).")}), "textarea")
    address = _kind(forms.CharField(label=_("Address or place"), required=False, max_length=300, error_messages={
        "max_length": _("The address can have at most %(limit_value)s characters.")}), "input")
    lat = _kind(forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90, error_messages={
        "invalid": _("Enter the latitude as a number between -90 and 90, like 38.8977."),
        "min_value": _("Enter a latitude between -90 and 90."),
        "max_value": _("Enter a latitude between -90 and 90.")}),
        "input", inputmode="decimal")
    lon = _kind(forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180, error_messages={
        "invalid": _("Enter the longitude as a number between -180 and 180, like -77.0365."),
        "min_value": _("Enter a longitude between -180 and 180."),
        "max_value": _("Enter a longitude between -180 and 180.")}), "input", inputmode="decimal")
    # shown only once a location outside the jurisdiction was questioned (see clean)
    confirm_outside = _kind(forms.BooleanField(required=False), "confirm")
    first_name = _kind(forms.CharField(label=_("First name"), required=False, max_length=100), "input")
    last_name = _kind(forms.CharField(label=_("Last name"), required=False, max_length=100), "input")
    email = _kind(forms.EmailField(
        label=_("Email address"), required=False, max_length=254,
        help_text=_("We send a confirmation here; you need it to check your request later."),
        error_messages={"invalid": _("Enter an email address like name@example.com.")}), "input", "email")
    phone = _kind(forms.CharField(label=_("Phone number"), required=False, max_length=40,
                                  help_text=_("Include the area code, for example 202-456-1111.")), "input", "tel")
    photos = forms.Field(label=format_lazy(_("Photos (up to {count})"), count=MAX_PHOTOS), required=False,
                         widget=MultipleFileInput)

    def __init__(self, service: Service, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("form_token", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)
        self.service = service
        self.photo_list: list[Photo] = []
        self.attributes = list(service.attributes.all())
        self.outside: Outside | None = None  # set by clean() when the point is outside the jurisdiction
        if not service.asks_location:  # "not asked": no location fields, and anything posted for them is ignored
            for name in LOCATION_FIELDS:
                del self.fields[name]
        if service.publish_description:  # say so before the resident writes: this text will be public
            self.fields["description"].help_text = gettext(
                "Up to {limit} characters. Everyone can read this description on the request's public page, the map "
                "and Open311, so leave out your name, phone number and other personal details."
            ).format(limit=number_format(settings.MAX_TEXT_LENGTH, force_grouping=True))
        for attribute in self.attributes:
            if attribute.variable:
                self.fields[self.attribute_name(attribute)] = attribute_field(attribute)
        for field in self.fields.values():
            field.error_messages.setdefault("max_length", gettext(
                "“{label}” can have at most %(limit_value)s characters (it has %(show_value)s).").format(
                label=field.label))
        # Fields in page order, so validation and the error summary follow the page.
        self.order_fields(["form_token", "description", *(self.attribute_name(a) for a in self.attributes)])

    @staticmethod
    def attribute_name(attribute: ServiceAttribute) -> str:
        return f"attr_{attribute.code}"

    def attribute_items(self) -> list[tuple[ServiceAttribute, forms.BoundField | None]]:
        """Questions in order; informational lines (variable=False) come with no field."""
        return [(a, self[self.attribute_name(a)] if a.variable else None) for a in self.attributes]

    def clean_form_token(self) -> str:
        try:
            return str(uuid.UUID(self.cleaned_data["form_token"]))
        except ValueError as exc:
            raise forms.ValidationError(gettext("This form expired; reload the page and try again.")) from exc

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        try:
            return normalize_phone(phone)
        except InvalidIdentity as exc:
            raise forms.ValidationError(gettext("Enter a valid phone number, including the area code.")) from exc

    def clean_photos(self) -> list[Photo]:
        self.photo_list, errors = read_photos(list(self.cleaned_data.get("photos") or []))
        if errors:
            raise forms.ValidationError(errors)
        return self.photo_list

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.service.asks_location:
            self._clean_location(data)
        return data

    def _clean_location(self, data: dict[str, Any]) -> None:
        """Both coordinates or neither; some location when the service requires one; a point outside the
        jurisdiction is questioned until the resident moves it or confirms it."""
        lat, lon = data.get("lat"), data.get("lon")
        if lat is not None and lon is None and "lon" not in self.errors:
            self.add_error("lon", gettext("Enter a longitude as well as the latitude, or clear the latitude."))
        if lon is not None and lat is None and "lat" not in self.errors:
            self.add_error("lat", gettext("Enter a latitude as well as the longitude, or clear the longitude."))
        has_point = not ({"lat", "lon"} & set(self.errors)) and lat is not None and lon is not None
        if (self.service.requires_location and not data.get("address") and not has_point
                and not ({"address", "lat", "lon"} & set(self.errors))):
            self.add_error("address", gettext(
                "Tell us where: enter an address or place, or a latitude and longitude."))
        if has_point and not self.service.accepts_outside_locations:
            self.outside = outside_jurisdiction(lat, lon)
            if self.outside is not None and not data.get("confirm_outside"):
                self.add_error("confirm_outside", gettext(
                    "This location is outside {place}. Move the pin, or confirm that you want to send it anyway."
                ).format(place=self.outside.name))

    @property
    def confirm_outside_label(self) -> str:
        place = self.outside.name if self.outside else gettext("the city")
        return gettext("Send it anyway: I confirm the location outside {place} is right.").format(place=place)

    def attribute_answers(self) -> dict[str, Any]:
        """The validated answers keyed by attribute code, without empty optional ones."""
        answers = {}
        for attribute in self.attributes:
            value = self.cleaned_data.get(self.attribute_name(attribute)) if attribute.variable else None
            if value not in (None, "", []):
                answers[attribute.code] = attribute_value(attribute, value)
        return answers

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the error summary, in the order of the page."""
        links = [("id_description", str(m)) for m in self.non_field_errors()]
        for name, field in self.fields.items():
            anchor = f"id_{name}_0" if getattr(field, "kind", "") in ("radio", "checkbox") else f"id_{name}"
            if name == "form_token":
                anchor = "id_description"
            links += [(anchor, str(message)) for message in self.errors.get(name, [])]
        return links

    @property
    def max_photo_mb(self) -> int:
        return max(1, settings.MAX_PHOTO_BYTES // (1024 * 1024))

    def photos_were_chosen(self) -> bool:
        return bool(self.is_bound and self.files.getlist("photos"))


class StatusLookupForm(forms.Form):
    number = _kind(forms.CharField(label=_("Request number"), max_length=32,
                                   help_text=_("For example, CD-2026-000123."),
                                   error_messages={"required": _("Enter your request number.")}), "input")
    email = _kind(forms.EmailField(label=_("Email address"), max_length=254, help_text=_("The address you gave us."),
                                   error_messages={"required": _("Enter your email address."),
                                                   "invalid": _("Enter an email address like name@example.com.")}),
                  "input", "email")

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip().upper()

    def error_links(self) -> list[tuple[str, str]]:
        return [(f"id_{name}", str(m)) for name, errors in self.errors.items() for m in errors]


class ResidentUpdateForm(forms.Form):
    """The resident's comment (with photos) on their own status page; with not_fixed, also "this is not fixed"."""

    form_token = forms.CharField(widget=forms.HiddenInput)
    text = _kind(forms.CharField(
        label=gettext_lazy("Your comment"), max_length=settings.MAX_TEXT_LENGTH, required=False,
        error_messages={"max_length": gettext_lazy(
            "The comment can have at most %(limit_value)s characters (it has %(show_value)s).")}), "textarea")
    photos = forms.Field(required=False, widget=MultipleFileInput)

    def __init__(self, *args: Any, not_fixed: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("form_token", str(uuid.uuid4()))
        super().__init__(*args, **kwargs)
        self.not_fixed = not_fixed
        self.photo_list: list[Photo] = []
        self.fields["photos"].label = gettext("Photos (up to %(count)s)") % {"count": MAX_PHOTOS}
        if not_fixed:
            self.fields["text"].label = gettext_lazy("What is still wrong? (optional)")
        self.fields["text"].help_text = gettext_lazy(
            "Staff read this with your request. Only you and staff see it; it is not published.")

    def clean_form_token(self) -> str:
        try:
            return str(uuid.UUID(self.cleaned_data["form_token"]))
        except ValueError as exc:
            raise forms.ValidationError(gettext("This form expired; reload the page and try again.")) from exc

    def clean_photos(self) -> list[Photo]:
        self.photo_list, errors = read_photos(list(self.cleaned_data.get("photos") or []))
        if errors:
            raise forms.ValidationError(errors)
        return self.photo_list

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.not_fixed and not (data.get("text") or "").strip() and not self.photo_list \
                and "photos" not in self.errors:
            self.add_error("text", gettext("Write a comment or choose a photo to send."))
        return data

    def error_links(self) -> list[tuple[str, str]]:
        prefix = f"{self.prefix}-" if self.prefix else ""
        return [(f"id_{prefix}{'text' if name in ('form_token', '__all__') else name}", str(message))
                for name, errors in self.errors.items() for message in errors]

    @property
    def max_photo_mb(self) -> int:
        return max(1, settings.MAX_PHOTO_BYTES // (1024 * 1024))

    def photos_were_chosen(self) -> bool:
        return bool(self.is_bound and self.files.getlist(self.add_prefix("photos")))
