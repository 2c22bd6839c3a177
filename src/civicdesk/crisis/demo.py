"""Riverbend's crisis history for the demo: one past incident (ended) with its official updates, a few alert
subscribers, and no active incident (staff declare one from Manage > Incidents, or `civicdesk declare-incident`)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from civicdesk.agencies.models import Agency
from civicdesk.crisis.models import Incident, IncidentStatus, IncidentUpdate, Subscription, SubscriptionSource
from civicdesk.crisis.subscriptions import new_token
from civicdesk.gis.models import Area

DEMO_SLUG = "river-road-water-main-break"


@transaction.atomic
def seed_incidents() -> str:
    if Incident.objects.filter(slug=DEMO_SLUG).exists():
        return "crisis demo already there"
    now = timezone.now()
    declared = now - timedelta(days=9, hours=3)
    ward = Area.objects.filter(type__slug="ward", name="Ward 2").order_by("-generation_high_id").first()
    incident = Incident.objects.create(
        slug=DEMO_SLUG, title_en="Water main break on River Road", title_es="Rotura de tubería en River Road",
        summary_en="River Road is closed between 3rd and 7th Street. Boil tap water before drinking it.",
        summary_es="River Road está cerrada entre las calles 3 y 7. Hierva el agua del grifo antes de beberla.",
        agency=Agency.objects.filter(slug="public-works").first(), whole_city=ward is None,
        status=IncidentStatus.ENDED, declared_at=declared, ended_at=declared + timedelta(hours=30))
    if ward is not None:
        incident.areas.set([ward])
    updates = [
        (1, "Crews are on site. Expect low water pressure in Ward 2.",
         "Las cuadrillas están en el lugar. La presión del agua será baja en el distrito 2."),
        (9, "The main is repaired. Keep boiling tap water until further notice.",
         "La tubería está reparada. Siga hirviendo el agua del grifo hasta nuevo aviso."),
        (29, "Tests show the water is safe. You no longer need to boil it. River Road is open.",
         "Las pruebas muestran que el agua es segura. Ya no hace falta hervirla. River Road está abierta."),
    ]
    IncidentUpdate.objects.bulk_create([
        IncidentUpdate(incident=incident, text_en=en, text_es=es, published_at=declared + timedelta(hours=hours))
        for hours, en, es in updates])
    Subscription.objects.bulk_create([
        Subscription(channel=channel, address=address, language=language, area=area, status="active",
                     source=SubscriptionSource.WEB, token=new_token(), created_at=declared - timedelta(days=30),
                     confirmed_at=declared - timedelta(days=30))
        for channel, address, language, area in [
            ("email", "alerts.rosa@example.com", "es", None), ("email", "alerts.sam@example.com", "en", ward),
            ("sms", "+12155550142", "en", ward), ("sms", "+12155550143", "es", None)]])
    return "one past incident, 4 alert subscribers"
