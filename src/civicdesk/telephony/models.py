"""A phone call on a case's timeline: a voicemail left on an agency's Twilio number, or a call an agent logged."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CallDirection(models.TextChoices):
    INBOUND = "in", _("Inbound (the resident called)")
    OUTBOUND = "out", _("Outbound (we called the resident)")


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    VOICEMAIL = "voicemail", _("Voicemail received")
    VOICEMAIL_LEFT = "voicemail_left", _("Voicemail left")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
    DROPPED = "dropped", _("Call dropped")


class RecordingState(models.TextChoices):
    NONE = "", _("No recording")
    PENDING = "pending", _("Being fetched")
    FETCHED = "fetched", _("Fetched")
    FAILED = "failed", _("Could not be fetched")


class Call(models.Model):
    """The call behind one timeline message (channel "phone"): who called whom, for how long, and how it ended.

    A voicemail's row is made by the pipeline from Twilio's callbacks (its recording fetched in the background);
    a logged call's by an agent. The message carries the text: the transcript, or the agent's notes.
    """

    message = models.OneToOneField("cases.Message", on_delete=models.CASCADE, related_name="call",
                                   verbose_name=_("message"))
    direction = models.CharField(_("direction"), max_length=3, choices=CallDirection.choices)
    number = models.CharField(_("resident's number"), max_length=40, help_text=_("E.164, e.g. +12025550123."))
    our_number = models.CharField(_("our number"), max_length=40, blank=True)
    account = models.ForeignKey("channels.ChannelAccount", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("account"))
    provider_call_id = models.CharField(_("provider call id"), max_length=64, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=CallOutcome.choices)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("logged by"))
    recording_url = models.URLField(_("recording URL"), max_length=500, blank=True)
    recording_state = models.CharField(_("recording"), max_length=10, choices=RecordingState.choices, blank=True,
                                       default=RecordingState.NONE)
    recording_attempts = models.PositiveSmallIntegerField(_("fetch attempts"), default=0)
    recording_error = models.TextField(_("last fetch error"), blank=True)
    transcript_state = models.CharField(_("transcript"), max_length=10, blank=True, help_text=_(
        'Empty until Twilio reports: "completed" or "failed".'))
    created_at = models.DateTimeField(_("created"))

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["provider_call_id"], condition=~Q(provider_call_id=""),
                                               name="call_unique_provider_call_id")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.number} ({self.get_outcome_display()})"

    @property
    def duration_minutes(self) -> int:
        return (self.duration_seconds or 0) // 60

    @property
    def duration_rest(self) -> str:
        """The seconds after the whole minutes, two digits (the "05" of 4:05)."""
        return f"{(self.duration_seconds or 0) % 60:02d}"
