"""On every sign-in: stamp the session for the idle and absolute limits and note whether an authenticator exists."""

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from civicdesk.accounts.gate import remember_enrolment
from civicdesk.accounts.queries import has_authenticator
from civicdesk.accounts.sessions import stamp_new_session


@receiver(user_logged_in, dispatch_uid="civicdesk.accounts.signed_in")
def signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    stamp_new_session(request.session)
    remember_enrolment(request.session, has_authenticator(user))
