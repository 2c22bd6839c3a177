"""Sign-in pages beyond the password: two-factor setup and verification, recovery codes, password change and reset."""

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from civicdesk.accounts import actions
from civicdesk.accounts.forms import CodeForm, StaffPasswordChangeForm, StaffPasswordResetForm, StaffSetPasswordForm
from civicdesk.accounts.gate import remember_enrolment
from civicdesk.accounts.queries import (
    devices_for_code,
    has_authenticator,
    recovery_codes_left,
    seconds_until_next_try,
)

WRONG_CODE = gettext_lazy("That code is not right, or was already used. Check the code and try again.")


def next_url(request: HttpRequest) -> str:
    """The page to return to: `next` when it is on this site, the inbox otherwise."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return reverse("inbox:inbox")


def verify_url(request: HttpRequest) -> str:
    return f"{reverse('accounts:otp-verify')}?{urlencode({'next': next_url(request)})}"


def secret_text(key: bytes) -> str:
    """The base32 secret in groups of four, for typing into an app that cannot scan."""
    plain = b32encode(key).decode().rstrip("=")
    return " ".join(plain[i:i + 4] for i in range(0, len(plain), 4))


def qr_svg(url: str) -> str:
    """The otpauth URL as an inline SVG QR code (no image request, so the strict CSP holds)."""
    return segno.make(url, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff",
                                                 title=_("QR code for your authenticator app"))


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: scan or type the secret, confirm with a code, then see the recovery codes once."""
    verified = request.user.is_verified()  # type: ignore[union-attr]
    if has_authenticator(request.user) and not verified:
        return redirect(verify_url(request))  # a password alone never adds another authenticator
    device = actions.start_enrolment(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = actions.confirm_enrolment(device, form.code_value)
        if codes is not None:
            otp_login(request, device)
            remember_enrolment(request.session, True)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url(request),
                                                                    "first_time": True})
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr": qr_svg(device.config_url), "secret": secret_text(device.bin_key),
        "next": next_url(request), "replacing": verified,
    })


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a current code from the app, or a recovery code (each works once)."""
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(next_url(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = seconds_until_next_try(devices_for_code(request.user, form.code_value))
        device = None if wait else actions.check_code(request.user, form.code_value)
        if wait:
            form.add_error("code", _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
                           % {"seconds": wait})
        elif device is not None:
            otp_login(request, device)
            remember_enrolment(request.session, True)
            left = recovery_codes_left(request.user)
            if device.persistent_id.startswith("otp_static") and left <= 3:
                messages.warning(request, _("Only %(left)d recovery codes are left. Make new ones under "
                                            "Two-factor.") % {"left": left})
            return redirect(next_url(request))
        else:
            form.add_error("code", WRONG_CODE)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": next_url(request)})


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Two-factor settings: how many recovery codes are left, new codes, and setting up a new phone."""
    enrolled = has_authenticator(request.user)
    if enrolled and not request.user.is_verified():  # type: ignore[union-attr]
        return redirect(verify_url(request))
    if request.method == "POST" and enrolled:
        codes = actions.issue_recovery_codes(request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("inbox:inbox")})
    return render(request, "accounts/two_factor.html", {
        "enrolled": enrolled, "left": recovery_codes_left(request.user)})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = StaffPasswordChangeForm
    success_url = reverse_lazy("inbox:inbox")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = StaffPasswordResetForm
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/"), "site_name": settings.SITE_NAME}
        return super().get_context_data(**kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/"), "site_name": settings.SITE_NAME}
        return super().form_valid(form)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = StaffSetPasswordForm
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetDoneView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_done.html"


password_change = PasswordChangeView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_sent = PasswordResetSentView.as_view()
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_done = PasswordResetDoneView.as_view()
