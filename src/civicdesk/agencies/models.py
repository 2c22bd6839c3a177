"""Agencies, their teams and staff, and the services residents can request."""


from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civicdesk.agencies.translations import VALUES, Translatable


class Agency(Translatable, models.Model):
    translatable_fields = ("name", "description")

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="departments")
    email = models.EmailField(blank=True, help_text="Public contact address shown on the portal.")
    phone = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    transfer_approval_required = models.BooleanField(
        default=False, verbose_name=_("transfers out need a supervisor's approval"),
        help_text=_("On: an agent's transfer of a case to another agency waits until a supervisor of this agency "
                    "approves it. Off: agents transfer cases directly."))

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A parent chain must not loop back to this agency."""
        super().clean()
        parent, seen = self.parent, set()
        while parent is not None and parent.pk not in seen:
            if self.pk is not None and parent.pk == self.pk:
                raise ValidationError({"parent": "An agency cannot be its own parent or a parent of its parent."})
            seen.add(parent.pk)
            parent = parent.parent


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_unique_name_per_agency")]

    def __str__(self) -> str:
        return f"{self.agency.name} / {self.name}"


class StaffRole(models.TextChoices):
    """Agents work cases; supervisors also run their agencies' teams; administrators manage staff city-wide."""

    ADMIN = "admin", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


class StaffProfile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=20, choices=StaffRole.choices, default=StaffRole.AGENT)
    agencies = models.ManyToManyField(Agency, blank=True, related_name="staff")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    away = models.BooleanField(
        default=False, verbose_name=_("away"),
        help_text=_("Away staff are marked so in the assignee pickers and are never assigned cases automatically."))
    away_until = models.DateField(
        null=True, blank=True, verbose_name=_("last day away"),
        help_text=_("Empty: away until someone marks them back."))

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN

    @property
    def is_away(self) -> bool:
        """Away today: marked away, and the last day away (if any) has not passed."""
        return self.away and (self.away_until is None or self.away_until >= timezone.localdate())


class LocationMode(models.TextChoices):
    """Whether a service asks where the problem is."""

    REQUIRED = "required", _("Required")
    OPTIONAL = "optional", _("Optional")
    NOT_ASKED = "not_asked", _("Not asked")


class Service(Translatable, models.Model):
    """A kind of request a resident can make, owned by one agency (an Open311 service)."""

    translatable_fields = ("name", "description", "group")

    code = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    group = models.CharField(max_length=100, help_text="Topic the portal groups services under.")
    keywords = models.CharField(max_length=500, blank=True, help_text="Comma-separated search keywords.")
    search_terms = models.TextField(
        blank=True, verbose_name=_("search terms"),
        help_text=_("What residents type when they mean this service, one phrase per line, in any language: "
                    "\"hole in road\", \"trash wasn't picked up\", \"bache\". The portal's search finds the "
                    "service by these as well as by its name, keywords and description, and forgives typos."))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    default_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(default=True)
    is_realtime = models.BooleanField(default=True, help_text="Open311: realtime returns the id at once.")
    publish_description = models.BooleanField(
        default=False, verbose_name=_("publish the resident's description"),
        help_text=_("Show the resident's original description (and the photo link) on the public map, the "
                    "status page and Open311. Leave off where residents may write personal details."))
    location_mode = models.CharField(
        max_length=20, choices=LocationMode.choices, default=LocationMode.REQUIRED, verbose_name=_("location"),
        help_text=_("Whether a request must say where: required (a pothole), optional, or not asked (a general "
                    "question: the form has no location and Open311 ignores one)."))
    accepts_outside_locations = models.BooleanField(
        default=False, verbose_name=_("accepts locations outside the jurisdiction"),
        help_text=_("Unticked, the portal asks the resident to confirm a location outside the city's boundary and "
                    "Open311 refuses one far outside it. Tick for services that reach beyond the city; routing "
                    "still flags such a location for staff."))

    class Meta:
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def asks_location(self) -> bool:
        return self.location_mode != LocationMode.NOT_ASKED

    @property
    def requires_location(self) -> bool:
        return self.location_mode == LocationMode.REQUIRED

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]


class AttributeDatatype(models.TextChoices):
    STRING = "string", "Short text"
    NUMBER = "number", "Number"
    DATETIME = "datetime", "Date and time"
    TEXT = "text", "Long text"
    SINGLE_VALUE_LIST = "singlevaluelist", "Pick one"
    MULTI_VALUE_LIST = "multivaluelist", "Pick any"


class ServiceAttribute(Translatable, models.Model):
    """A question a service asks, with the datatypes of Open311 service definitions."""

    translatable_fields = ("description", "datatype_description")
    translates_values = True

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(max_length=64)
    datatype = models.CharField(max_length=20, choices=AttributeDatatype.choices, default=AttributeDatatype.STRING)
    description = models.CharField(max_length=300, help_text="The question as residents see it.")
    datatype_description = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    variable = models.BooleanField(default=True, help_text="False for an informational line with no answer.")
    order = models.PositiveIntegerField(default=0)
    values = models.JSONField(default=list, blank=True, help_text='List lists: [{"key": "k", "name": "Label"}].')

    class Meta:
        ordering = ["service", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="attribute_unique_code")]

    def __str__(self) -> str:
        return f"{self.service.code}.{self.code}"

    def clean(self) -> None:
        """List questions need their answers as [{"key": ..., "name": ...}]; other datatypes take none."""
        super().clean()
        is_list = self.datatype in (AttributeDatatype.SINGLE_VALUE_LIST, AttributeDatatype.MULTI_VALUE_LIST)
        values = self.values
        if not is_list:
            if values:
                raise ValidationError({"values": "Only 'Pick one' and 'Pick any' questions have values."})
            return
        if not isinstance(values, list) or not values:
            raise ValidationError({"values": 'List the answers, like [{"key": "yes", "name": "Yes"}].'})
        keys = []
        for item in values:
            if not isinstance(item, dict) or str(item.get("key", "")).strip() == "":
                raise ValidationError({"values": f'Each answer needs a "key": {item!r} has none.'})
            keys.append(str(item["key"]))
        if len(set(keys)) != len(keys):
            raise ValidationError({"values": "Each answer needs a different key."})

    @property
    def value_keys(self) -> list[str]:
        return [str(v["key"]) for v in self.values]

    def choices(self, language: str | None = None) -> list[tuple[str, str]]:
        """(key, label) of each answer, labels in `language` (default: the active one) falling back to English."""
        language = (language or get_language() or "").split("-")[0]
        labels = (self.translations or {}).get(language, {}).get(VALUES, {}) if language else {}
        return [(str(v["key"]), str(labels.get(str(v["key"])) or v.get("name") or v["key"])) for v in self.values]
