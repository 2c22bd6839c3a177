"""Admin for agency mailboxes, with a "poll now" action for IMAP mailboxes."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from civicdesk.agencies.models import Agency
from civicdesk.channels.models import Channel, ChannelAccount, Provider
from civicdesk.mail import actions
from civicdesk.mail.models import Mailbox, SenderNotice


class MailboxForm(forms.ModelForm):
    """The email account and its mailbox detail in one form: the account's fields are saved to the account."""

    address = forms.EmailField(help_text="Mail to this address becomes cases.")
    display_name = forms.CharField(max_length=200, required=False)
    agency = forms.ModelChoiceField(queryset=Agency.objects.all())
    is_active = forms.BooleanField(required=False, initial=True)
    imap_password = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the stored password. Stored encrypted on the email account.",
    )

    class Meta:
        model = Mailbox
        fields = ["imap_host", "imap_port", "imap_ssl", "imap_username", "imap_folder"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            account = self.instance.account
            for name in ("address", "display_name", "is_active"):
                self.initial[name] = getattr(account, name)
            self.initial["agency"] = account.agency_id

    def clean_address(self) -> str:
        address = self.cleaned_data["address"].strip()
        others = ChannelAccount.objects.filter(provider=Provider.EMAIL, address__iexact=address)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.account_id)
        if others.exists():
            raise forms.ValidationError("Another mailbox already has this address.")
        return address

    def save(self, commit: bool = True) -> Mailbox:
        mailbox: Mailbox = super().save(commit=False)
        account = mailbox.account if mailbox.account_id else ChannelAccount(channel=Channel.EMAIL,
                                                                             provider=Provider.EMAIL)
        for name in ("address", "display_name", "agency", "is_active"):
            setattr(account, name, self.cleaned_data[name])
        if self.cleaned_data.get("imap_password"):
            account.set_credentials({**account.credentials(), "password": self.cleaned_data["imap_password"]})
        with transaction.atomic():
            account.save()
            mailbox.account = account
            if commit:
                mailbox.save()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["address", "agency", "is_active", "imap_host", "last_polled_at", "short_error"]
    list_select_related = ["account__agency"]
    list_filter = ["account__is_active", "account__agency"]
    search_fields = ["account__address", "account__display_name"]
    readonly_fields = ["account", "imap_uidvalidity", "imap_last_uid", "last_polled_at", "last_error"]
    fieldsets = [
        (None, {"fields": ["address", "display_name", "agency", "is_active"]}),
        ("IMAP polling (optional)", {"fields": ["imap_host", "imap_port", "imap_ssl", "imap_username",
                                                "imap_password", "imap_folder"]}),
        ("Polling state", {"fields": ["account", "imap_uidvalidity", "imap_last_uid", "last_polled_at",
                                      "last_error"]}),
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
        for mailbox in queryset.filter(account__is_active=True).exclude(imap_host=""):
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
