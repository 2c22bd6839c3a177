"""Admin for channel accounts (credentials write-only, never listed or shown) and refused webhook requests."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from civicdesk.channels import credentials
from civicdesk.channels.models import PROVIDER_CHANNELS, ChannelAccount, WebhookRejection
from civicdesk.channels.webhooks import webhook_url


class ChannelAccountForm(forms.ModelForm):
    """Credentials are typed in, encrypted and never rendered back: the field is always empty on the page."""

    new_credentials = forms.CharField(
        label=_("Credentials"), required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_('One "name=value" a line (e.g. auth_token=...), stored encrypted. Leave empty to keep the stored '
                    "credentials; they are never shown again."),
    )
    clear_credentials = forms.BooleanField(label=_("Delete the stored credentials"), required=False)

    class Meta:
        model = ChannelAccount
        fields = ["channel", "provider", "agency", "display_name", "address", "is_active", "credentials_ref",
                  "cursor"]

    def clean_new_credentials(self) -> dict[str, str]:
        try:
            return credentials.parse_lines(self.cleaned_data.get("new_credentials") or "")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_credentials_ref(self) -> str:
        ref = (self.cleaned_data.get("credentials_ref") or "").strip()
        if ref:
            try:
                credentials.from_reference(ref, environ={})
            except credentials.CredentialsError as exc:
                raise forms.ValidationError(str(exc)) from None
        return ref

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        provider, channel = data.get("provider"), data.get("channel")
        if provider and channel and channel not in PROVIDER_CHANNELS.get(provider, ()):
            self.add_error("channel", _("This provider does not carry this channel."))
        return data

    def save(self, commit: bool = True) -> ChannelAccount:
        account: ChannelAccount = super().save(commit=False)
        if self.cleaned_data.get("clear_credentials"):
            account.set_credentials({})
        elif self.cleaned_data.get("new_credentials"):
            account.set_credentials(self.cleaned_data["new_credentials"])
        if commit:
            account.save()
        return account


class WebhookRejectionInline(admin.TabularInline):
    model = WebhookRejection
    extra = 0
    can_delete = False
    fields = ["reason", "count", "first_at", "last_at"]
    readonly_fields = ["reason", "count", "first_at", "last_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChannelAccount)
class ChannelAccountAdmin(admin.ModelAdmin):
    form = ChannelAccountForm
    list_display = ["__str__", "channel", "provider", "agency", "address", "is_active", "updated_at"]
    list_filter = ["channel", "provider", "is_active", "agency"]
    list_select_related = ["agency"]
    search_fields = ["display_name", "address"]
    readonly_fields = ["webhook", "stored_credentials", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["channel", "provider", "agency", "display_name", "address", "is_active"]}),
        (_("Credentials"), {"fields": ["credentials_ref", "stored_credentials", "new_credentials",
                                       "clear_credentials"]}),
        (_("Webhook and polling"), {"fields": ["webhook", "cursor", "created_at", "updated_at"]}),
    ]
    inlines = [WebhookRejectionInline]

    @admin.display(description=_("Webhook URL"))
    def webhook(self, obj: ChannelAccount) -> str:
        return webhook_url(obj) if obj.pk else str(_("Shown once the account is saved."))

    @admin.display(description=_("Stored credentials"))
    def stored_credentials(self, obj: ChannelAccount) -> str:
        return str(_("Yes (encrypted, not shown)") if obj.has_stored_credentials else _("None"))


@admin.register(WebhookRejection)
class WebhookRejectionAdmin(admin.ModelAdmin):
    """Refused webhook requests per account and reason: a forged or misconfigured sender shows up here."""

    list_display = ["account", "reason", "count", "first_at", "last_at"]
    list_filter = ["reason"]
    list_select_related = ["account"]
    readonly_fields = ["account", "reason", "count", "first_at", "last_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
