"""The audit trail: who changed what on a case or contact, and when, with before and after."""

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CASE_CREATED = "case_created", "Case created"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    TAGS_CHANGED = "tags_changed", "Tags changed"
    TRANSFERRED = "transferred", "Transferred"
    ROUTED = "routed", "Routed"
    MERGED = "merged", "Merged"
    MERGED_INTO = "merged_into", "Merged into another case"
    LINKED = "linked", "Linked"
    REOPENED = "reopened", "Reopened"
    LOCATION_CHANGED = "location_changed", "Location changed"
    FIELD_CHANGED = "field_changed", "Field changed"
    DELIVERY_FAILED = "delivery_failed", "Delivery failed"
    FOLLOWER_ADDED = "follower_added", "Follower added"
    CONTACT_CREATED = "contact_created", "Contact created"
    CONTACT_CHANGED = "contact_changed", "Contact changed"
    CONTACT_MERGED = "contact_merged", "Contacts merged"
    CONTACT_UNMERGED = "contact_unmerged", "Contact merge undone"
    IDENTITY_ADDED = "identity_added", "Identity added"
    OPTED_OUT = "opted_out", "Opted out of messages"
    OPTED_IN = "opted_in", "Opted in to messages again"
    KEYWORD_TEXT = "keyword_text", "Keyword text received"
    STOP_REQUEST_FLAGGED = "stop_request_flagged", "Request to stop messages flagged"
    STOP_REQUEST_DISMISSED = "stop_request_dismissed", "Request to stop messages dismissed"
    MESSAGE_EDITED = "message_edited", "Message edited by its author"
    MESSAGE_DELETED = "message_deleted", "Message deleted by its author"
    COMMENT_HIDDEN = "comment_hidden", "Comment hidden on the network"
    TRANSFER_REQUESTED = "transfer_requested", "Transfer requested"
    TRANSFER_APPROVED = "transfer_approved", "Transfer approved"
    TRANSFER_REJECTED = "transfer_rejected", "Transfer rejected"
    TRANSFER_WITHDRAWN = "transfer_withdrawn", "Transfer request withdrawn"
    STAFF_CREATED = "staff_created", "Staff member created"
    STAFF_CHANGED = "staff_changed", "Staff member changed"
    STAFF_AWAY_CHANGED = "staff_away_changed", "Away status changed"
    TEAM_MEMBERS_CHANGED = "team_members_changed", "Team members changed"
    PASSWORD_LINK_SENT = "password_link_sent", "Set-password link sent"
    AGENCY_CHANGED = "agency_changed", "Agency setting changed"
    INITIATIVE_CREATED = "initiative_created", "Initiative created"
    INITIATIVE_CHANGED = "initiative_changed", "Initiative changed"
    CALL_LOGGED = "call_logged", "Phone call logged"
    CHAT_ENDED = "chat_ended", "Live chat ended by an agent"
    CHAT_BLOCKED = "chat_blocked", "Live chat ended and its session blocked"
    SLA_WARNING = "sla_warning", "Target nearly due"
    SLA_BREACHED = "sla_breached", "Target missed"
    SURVEY = "survey_sent", "Satisfaction survey sent (or not)"
    SURVEY_ANSWERED = "survey_answered", "Satisfaction survey answered"
    FIX_CHECK = "fix_check", "Asked whether the problem is fixed (or not)"
    FIX_CHECK_ANSWERED = "fix_check_answered", "Answered whether the problem is fixed"


class AuditEntry(models.Model):
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, blank=True, help_text="Who, when no staff user: 'system', a channel."
    )
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="audit", db_index=False
    )
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.CASCADE, related_name="audit", db_index=False
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False, help_text="The staff account the entry is about (staff management).",
    )
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["case", "at"]), models.Index(fields=["contact", "at"]),  # serve the FKs too
                   models.Index(fields=["staff", "at"], name="audit_staff_at", condition=models.Q(staff__isnull=False))]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
