"""A satisfaction survey per resolved case and an "Is it fixed?" question some days later, each asked once.

Each row is unique on its case (a OneToOne), so a case reopened and resolved again, or two workers resolving it at
the same moment, never asks twice. The resident answers by a link with a random token (email, the status page, a
chat), or by texting back (a score 1-5, or YES/NO) when they were asked by SMS.
"""

import secrets
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.channels.models import Channel

TOKEN_BYTES = 16  # 22 URL-safe characters: short enough for a text message, too many to guess


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


class AskStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    WAITING = "waiting", _("Waiting for the case to be resolved again")
    SENT = "sent", _("Sent, not answered")
    ANSWERED = "answered", _("Answered")
    SKIPPED = "skipped", _("Not sent")


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", _("The resident opted out of messages on that channel")
    NO_SURVEYS = "no_surveys", _("The resident asked for no surveys")
    NO_CHANNEL = "no_channel", _("No channel to ask on (a public post, or no contact details)")
    NOT_RESIDENT = "not_resident", _("The contact is not a resident (staff of an agency or a partner)")


class AnsweredVia(models.TextChoices):
    WEB = "web", _("on the survey page")
    SMS = "sms", _("by text message")


class Ask(models.Model):
    """What a survey and a fix check share: where and how the resident was asked, and when they answered."""

    status = models.CharField(max_length=12, choices=AskStatus.choices, default=AskStatus.SENT)
    skip_reason = models.CharField(max_length=20, choices=SkipReason.choices, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, blank=True,
                               help_text=_("Where the question went: email, sms, chat or web (the status page)."))
    recipient = models.CharField(max_length=320, blank=True, help_text=_("The address or number asked."))
    language = models.CharField(max_length=10, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    message = models.ForeignKey("cases.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                db_index=False, help_text=_("The outbound message that asked."))
    sent_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(max_length=10, choices=AnsweredVia.choices, blank=True)
    answer_provider_id = models.CharField(max_length=300, blank=True,
                                          help_text=_("The text message that answered (a repeat of it is not taken "
                                                      "twice)."))

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status == AskStatus.SENT


class Survey(Ask):
    """The satisfaction survey of one case: a score from 1 (poor) to 5 (excellent) and an optional comment."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="survey")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    created_at = models.DateTimeField()
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["sent_at"], name="survey_sent_at", condition=Q(sent_at__isnull=False)),
                   models.Index(fields=["channel", "recipient"], name="survey_open_sms",
                                condition=Q(status="sent", channel="sms"))]
        constraints = [models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                                              name="survey_score_1_to_5")]

    def __str__(self) -> str:
        return f"Survey of case {self.case_id} ({self.status})"


class FixCheck(Ask):
    """The "Is it fixed?" question of one case, due FIX_CHECK_DAYS after it was resolved; "no" reopens it."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="fix_check")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    fixed = models.BooleanField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="fix_check_due", condition=Q(status="scheduled")),
                   models.Index(fields=["channel", "recipient"], name="fix_check_open_sms",
                                condition=Q(status="sent", channel="sms"))]

    def __str__(self) -> str:
        return f"Fix check of case {self.case_id} ({self.status})"


class SurveyOptOut(models.Model):
    """A resident who asked for no more surveys or "Is it fixed?" questions (the link under each one)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"No surveys for contact {self.contact_id}"


ASKED_HOW: dict[str, Any] = {
    Channel.EMAIL: _("by email"), Channel.SMS: _("by text message"), Channel.CHAT: _("in the live chat"),
    Channel.WEB: _("on the resident's status page")}


def asked_how(channel: str) -> str:
    """"by email", "by text message", ... for staff pages and the timeline; "" for an unknown channel."""
    return str(ASKED_HOW.get(channel, ""))
