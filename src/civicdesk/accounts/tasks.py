"""Background jobs of staff sign-in: the email with a link to choose a password (a new account, or a new link)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task


@task(queue_name="email")
def send_password_link(user_id: int, invited: bool) -> None:
    """Email a one-use set-password link (Django's reset token: it stops working once a password is chosen)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    context = {"user": user, "invited": invited, "uid": urlsafe_base64_encode(force_bytes(user.pk)),
               "token": default_token_generator.make_token(user), "site_url": settings.SITE_URL.rstrip("/"),
               "site_name": settings.SITE_NAME}
    subject = " ".join(render_to_string("accounts/password_link_subject.txt", context).split())
    send_mail(subject, render_to_string("accounts/password_link_email.txt", context), None, [user.email])
