"""App config of accounts: connects the sign-in signal that stamps new sessions."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "civicdesk.accounts"
    label = "accounts"
    verbose_name = "Staff sign-in"

    def ready(self) -> None:
        from civicdesk.accounts import signals  # noqa: F401  (connects the receivers)
