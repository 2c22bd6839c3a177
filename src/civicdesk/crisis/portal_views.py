"""Public pages of crisis mode: an incident's page and map, and signing up for alerts (confirm, unsubscribe)."""

from typing import Any

import shapely
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicdesk.crisis import queries, subscriptions
from civicdesk.crisis.models import AlertChannel, Incident, Subscription, SubscriptionStatus
from civicdesk.crisis.subscribe_form import WHOLE_CITY, SubscribeForm
from civicdesk.gis.lookup import active_index
from civicdesk.gis.models import Area
from civicdesk.places.search import current_index
from civicdesk.web.ratelimit import count_client_hit, limit_message, with_retry_after


def _incident_or_404(slug: str) -> Incident:
    incident = Incident.objects.filter(slug=slug).select_related("agency").first()
    if incident is None:
        raise Http404("No such incident.")
    return incident


@require_GET
def incident_page(request: HttpRequest, slug: str) -> HttpResponse:
    incident = _incident_or_404(slug)
    language = translation.get_language() or "en"
    updates = [(u.published_at, u.text(language)) for u in incident.updates.all()[:50]]
    return render(request, "crisis/incident.html", {
        "incident": incident, "title": incident.title(language), "summary": incident.summary(language),
        "updates": updates, "areas": queries.incident_areas(incident)})


def _jurisdiction_areas() -> list[Area]:
    index = active_index()
    if index is None:
        return []
    return list(Area.objects.filter(generation_low_id__lte=index.generation_id,
                                    generation_high_id__gte=index.generation_id, type__is_jurisdiction=True))


@require_GET
def incident_areas(request: HttpRequest, slug: str) -> JsonResponse:
    """The incident's areas as GeoJSON (the jurisdiction's boundary for the whole city)."""
    incident = _incident_or_404(slug)
    areas = _jurisdiction_areas() if incident.whole_city else queries.incident_areas(incident)
    features: list[dict[str, Any]] = []
    for area in areas:
        geometry = shapely.from_wkb(bytes(area.wkb))
        features.append({"type": "Feature", "geometry": shapely.geometry.mapping(geometry),
                         "properties": {"name": area.name}})
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _area_of_address(text: str) -> Area | None | str:
    """The subscribable area at an address found by the portal's address search; "" when nothing was found."""
    found = current_index().search(text, limit=1)
    index = active_index()
    if not found or index is None:
        return ""
    allowed = {a.pk: a for a in queries.subscribable_areas()}
    for ids in index.covering(found[0].lon, found[0].lat).values():
        for area_id in ids:
            if area_id in allowed:
                return allowed[area_id]
    return ""


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """Sign up for alerts by email or text, for an area (chosen, or found from an address) or the whole city."""
    form = SubscribeForm(request.POST or None, initial={"channel": AlertChannel.EMAIL, "area": WHOLE_CITY})
    if request.method == "POST":
        count = count_client_hit(request, "crisis-subscribe", limit=settings.CRISIS_SUBSCRIBES_PER_HOUR,
                                 window_seconds=3600)
        if not count.allowed:
            response = render(request, "crisis/subscribe.html", {"form": form, "limited": limit_message(count)},
                              status=429)
            return with_retry_after(response, count)
        if form.is_valid():
            data = form.cleaned_data
            area: Area | None = None
            if data.get("address", "").strip():
                found = _area_of_address(data["address"])
                if found == "":
                    form.add_error("address", _("We could not find that address in the city. Check it, or choose "
                                                "your area from the list."))
                else:
                    area = found  # type: ignore[assignment]
            elif data.get("area") and data["area"] != WHOLE_CITY:
                area = queries.subscribable_areas().filter(pk=int(data["area"])).first()
            if not form.errors:
                channel = data["channel"]
                raw = data["email"] if channel == AlertChannel.EMAIL else data["phone"]
                account = queries.alert_sms_account() if channel == AlertChannel.SMS else None
                subscriptions.subscribe(channel, raw, area=area, language=translation.get_language() or "en",
                                        account_id=account.pk if account else None)
                return redirect(f"{reverse('crisis:subscribe-sent')}?by={channel}")
        return render(request, "crisis/subscribe.html", {"form": form}, status=400)
    return render(request, "crisis/subscribe.html", {"form": form})


@require_GET
def subscribe_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "crisis/subscribe_sent.html", {"by_text": request.GET.get("by") == AlertChannel.SMS})


def _by_token(token: str) -> Subscription | None:
    if not token or len(token) > 64:
        return None
    return Subscription.objects.select_related("area").filter(token=token).first()


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (mail scanners follow links); POST starts the alerts. An unknown link is a 400."""
    subscription = _by_token(token)
    if subscription is None:
        return render(request, "crisis/confirm.html", {"invalid": True}, status=400)
    done = False
    if request.method == "POST":
        subscriptions.confirm(subscription)
        done = subscription.status == SubscriptionStatus.ACTIVE
    return render(request, "crisis/confirm.html", {"subscription": subscription, "token": token, "done": done})


@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One button, no questions: POST ends the subscription."""
    subscription = _by_token(token)
    if subscription is None:
        return render(request, "crisis/unsubscribe.html", {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        subscriptions.unsubscribe(subscription)
    return render(request, "crisis/unsubscribe.html", {"subscription": subscription, "token": token, "done": done})


@csrf_exempt  # RFC 8058 one-click: the mail client posts without a page; the token is the authority
@require_POST
def unsubscribe_one_click(request: HttpRequest, token: str) -> HttpResponse:
    subscription = _by_token(token)
    if subscription is None:
        return HttpResponse(status=400)
    subscriptions.unsubscribe(subscription)
    return HttpResponse(status=200)
