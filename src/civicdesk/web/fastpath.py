"""First in MIDDLEWARE: a provider's webhook request goes straight to the webhook view, past most of the stack.

A webhook needs none of what most middleware do (sessions, the language, CSRF, authentication, messages,
two-factor, axes): it is a machine posting a signed body, and the view verifies the signature before it stores
anything. Skipping them halved the CPU of an inbound SMS webhook (bench/README.md). Its answer still gets the
headers the whole stack gives every answer (HSTS and nosniff, the referrer and opener policies, X-Frame-Options,
the Content-Security-Policy, and SecurityMiddleware's HTTPS redirect where it is on): the view runs inside those
same middleware classes, built once. Only paths the URLconf resolves to `channels.webhooks.hook` take this path
(the voice callbacks under the same prefix resolve to their own views and keep the whole stack), and never one with
a NUL in its path or query string (RejectNulMiddleware answers those as before).
"""

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, get_resolver

from civicdesk.channels import webhooks
from civicdesk.web.badinput import has_nul
from civicdesk.web.security import ContentSecurityPolicyMiddleware

PREFIX = "/hooks/"


def _view(request: HttpRequest) -> HttpResponse:
    match = request.resolver_match
    assert match is not None  # set by the fast path before this chain runs
    response: HttpResponse = match.func(request, *match.args, **match.kwargs)
    if not response.streaming and not response.has_header("Content-Length"):  # as CommonMiddleware does
        response.headers["Content-Length"] = str(len(response.content))
    return response


class WebhookFastPathMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        # the header-setting middleware, in MIDDLEWARE's order (outermost first), around the webhook view
        inner: Any = XFrameOptionsMiddleware(ContentSecurityPolicyMiddleware(_view))  # (django-stubs: sync-only here)
        self.secured: Any = SecurityMiddleware(inner)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(PREFIX) or has_nul(request):
            return self.get_response(request)
        try:
            match = get_resolver().resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.func is not webhooks.hook:
            return self.get_response(request)
        request.resolver_match = match
        response: HttpResponse = self.secured(request)
        return response
