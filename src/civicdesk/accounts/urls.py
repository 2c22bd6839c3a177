"""URL routes of staff sign-in, mounted at /staff/: two-factor pages and password change and reset."""

from django.urls import path

from civicdesk.accounts import views

app_name = "accounts"
urlpatterns = [
    path("otp/", views.otp_verify, name="otp-verify"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("otp/recovery-codes/", views.recovery_codes, name="two-factor"),
    path("password/", views.password_change, name="password-change"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/sent/", views.password_reset_sent, name="password-reset-sent"),
    path("password/reset/done/", views.password_reset_done, name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
]
