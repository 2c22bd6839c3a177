"""Forms of the sign-in pages: a one-time code, and password reset limited to staff accounts."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicdesk.inbox.forms import uswds_widgets


class CodeForm(forms.Form):
    """Six digits from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(label=_("Code"), max_length=64, strip=True, widget=forms.TextInput(attrs={
        "autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "inputmode": "text"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uswds_widgets(self)

    @property
    def code_value(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()


class StaffPasswordResetForm(PasswordResetForm):
    """Sends the reset link only to staff accounts; the page looks the same whether or not an account matched."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uswds_widgets(self)

    def get_users(self, email: str) -> Iterable[Any]:
        users = list(super().get_users(email))
        if not users:
            return []
        staff = Q(is_superuser=True) | Q(is_staff=True) | Q(staff__isnull=False)
        allowed = set(type(users[0]).objects.filter(staff, pk__in=[user.pk for user in users])
                      .values_list("pk", flat=True))
        return [user for user in users if user.pk in allowed]


class StaffPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uswds_widgets(self)


class StaffSetPasswordForm(SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uswds_widgets(self)
