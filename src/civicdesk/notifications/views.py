"""Staff pages of notifications: the list (open, mark read, mark all read), the header's bell and the settings."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.inbox.access import staff_required
from civicdesk.notifications import actions, queries
from civicdesk.notifications.forms import SettingsForm

PER_PAGE = 30


@staff_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.listing(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {
        "page": page, "unread": queries.unread_count(request.user), "nav": "notifications"})


@staff_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    """The header's unread count, asked on every staff page's load, every few seconds and when the page's event
    stream reports a change; 204 when the count is the one the page shows (`shown`). Being asked is the desk's
    sign of presence (notifications.actions.note_presence)."""
    actions.note_presence(request.user.pk)
    count = queries.unread_count(request.user)
    shown = request.GET.get("shown", "")
    if shown == str(count):
        return HttpResponse(status=204)
    more = shown.isascii() and shown.isdigit() and len(shown) < 10 and count > int(shown)
    return render(request, "notifications/_bell_count.html", {"unread": count, "swapped": True, "announce": more})


@staff_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification to its case, marking it read; 404 for another user's or a case no longer visible."""
    notification = queries.notifications_of(request.user).select_related("case").filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    actions.mark_read(request.user, notification.pk)
    return redirect("inbox:case", number=notification.case.number)


@staff_required
@require_POST
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    if not queries.notifications_of(request.user).filter(pk=pk).exists():
        raise Http404("No such notification.")
    actions.mark_read(request.user, pk)
    messages.success(request, _("Marked as read."))
    return redirect(_back(request))


@staff_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = actions.mark_all_read(request.user)
    messages.success(request, _("All notifications are marked as read.") if count else _("Nothing was unread."))
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    """The list page the form was on (its page number only: nothing else is taken from the request)."""
    page = request.POST.get("page", "")
    wanted = page.isascii() and page.isdigit() and len(page) < 10 and page != "1"
    return reverse("notifications:list") + (f"?page={page}" if wanted else "")


@staff_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = queries.deliveries(request.user.pk)
    form = SettingsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        actions.save_settings(request.user, form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {
        "form": form, "nav": "notifications", "away_minutes": queries.away_after().seconds // 60,
        "email": getattr(request.user, "email", "")}, status=400 if form.errors else 200)
