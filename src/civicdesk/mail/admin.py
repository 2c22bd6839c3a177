"""Admin for agency mailboxes, with a "poll now" action for IMAP mailboxes."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from civicdesk.mail import actions
from civicdesk.mail.models import Mailbox, SenderNotice


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored password.",
    )

    class Meta:
        model = Mailbox
        fields = ["address", "display_name", "agency", "is_active", "imap_host", "imap_port", "imap_ssl",
                  "imap_username", "imap_password", "imap_folder"]

    def clean_imap_password(self) -> str:
        entered = self.cleaned_data.get("imap_password") or ""
        return entered or (self.instance.imap_password if self.instance.pk else "")


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["address", "agency", "is_active", "imap_host", "last_polled_at", "short_error"]
    list_filter = ["is_active", "agency"]
    search_fields = ["address", "display_name"]
    readonly_fields = ["imap_last_uid", "imap_uidvalidity", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["address", "display_name", "agency", "is_active"]}),
        ("IMAP polling (optional)", {"fields": ["imap_host", "imap_port", "imap_ssl", "imap_username",
                                                "imap_password", "imap_folder"]}),
        ("Polling state", {"fields": ["imap_last_uid", "imap_uidvalidity", "last_polled_at", "last_error"]}),
    ]
    actions = ["poll_now"]

    @admin.display(description="Last error")
    def short_error(self, obj: Mailbox) -> str:
        return obj.last_error[:120]

    @admin.action(description="Poll the selected mailboxes now (IMAP)")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        stored = 0
        errors: list[str] = []
        polled = 0
        for mailbox in queryset.filter(is_active=True).exclude(imap_host=""):
            result = actions.poll_mailbox(mailbox)
            polled += 1
            stored += result.stored
            if result.error:
                errors.append(f"{mailbox.address}: {result.error}")
        level: Any = messages.WARNING if errors or not polled else messages.SUCCESS
        summary = f"Polled {polled} mailbox(es); {stored} new message(s) stored and queued."
        if not polled:
            summary = "None of the selected mailboxes is active with an IMAP host."
        self.message_user(request, " ".join([summary, *errors]), level)


@admin.register(SenderNotice)
class SenderNoticeAdmin(admin.ModelAdmin):
    """Automatic notices sent to senders (oversize mail), one row per address: the hourly limit's state."""

    list_display = ["kind", "address", "last_sent_at", "count"]
    list_filter = ["kind"]
    search_fields = ["address"]
    readonly_fields = ["kind", "address", "last_sent_at", "count"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
