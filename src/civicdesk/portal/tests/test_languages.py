"""The resident side in English and Spanish: the browser's language, the switcher, the contact's remembered language
and the mail written in it, and each service's own Spanish content with English as the fallback."""

import re

import pytest
from django.conf import settings
from django.utils import translation

from civicdesk.cases.models import Case, Direction, Message
from civicdesk.contacts.actions import resolve_contact
from civicdesk.contacts.models import Contact
from civicdesk.conversations.rendering import ReplyKind, render
from civicdesk.conversations.replies import reply
from civicdesk.portal.views import VERIFIED_SESSION_KEY
from civicdesk.testing.factories import create_case, create_staff

pytestmark = pytest.mark.django_db
FORM_URL = "/services/pothole/"
SPANISH = {"es": {"name": "Bache", "group": "Calles"}}  # no Spanish description: the English one shows


@pytest.fixture
def spanish_service(service):
    service.translations = SPANISH
    service.save()
    service.agency.translations = {"es": {"name": "Obras Públicas"}}
    service.agency.save()
    size = service.attributes.get(code="size")
    size.translations = {"es": {"description": "¿Qué tamaño tiene?", "values": {"small": "Más pequeño que un plato"}}}
    size.save()
    return service


def html_lang(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.content.decode()).group(1)


def in_spanish(client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"


def test_the_browsers_accept_language_picks_spanish(client, service):
    page = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    html = page.content.decode()
    assert html_lang(page) == "es"
    assert "¿En qué podemos ayudarle?" in html and "How can we help?" not in html
    assert page["Content-Language"] == "es" and "Accept-Language" in page["Vary"]


def test_a_language_the_site_does_not_speak_gets_english(client, service):
    page = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert html_lang(page) == "en" and "How can we help?" in page.content.decode()


def test_every_resident_page_offers_the_other_language_in_its_header(client, service):
    for path in ["/", "/services/", "/agencies/", FORM_URL, "/status/", "/map/"]:
        html = client.get(path).content.decode()
        switcher = re.search(r'<form class="cd-language__form" method="post" action="/i18n/setlang/">(.*?)</form>',
                             html, re.S)
        assert switcher, path
        assert 'name="csrfmiddlewaretoken"' in switcher.group(1)
        assert f'name="next" value="{path}"' in switcher.group(1)
        assert '<button type="submit"' in switcher.group(1) and 'lang="es"' in switcher.group(1)
        assert ">Español</button>" in switcher.group(1)
    in_spanish(client)
    html = client.get("/services/").content.decode()
    assert 'lang="en" data-language="en">English</button>' in html and ">Español</button>" not in html


def test_the_switcher_remembers_the_choice_in_a_cookie_and_goes_back(client, service):
    answer = client.post("/i18n/setlang/", {"language": "es", "next": "/services/?q=road"},
                         headers={"Accept-Language": "en"})
    assert answer.status_code == 302 and answer["Location"] == "/services/?q=road"
    cookie = answer.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "es" and int(cookie["max-age"]) == settings.LANGUAGE_COOKIE_AGE
    page = client.get("/services/?q=road", headers={"Accept-Language": "en"})  # the cookie wins over the browser
    assert html_lang(page) == "es" and "Servicios" in page.content.decode()
    back = client.post("/i18n/setlang/", {"language": "en", "next": "/services/"})
    assert back["Location"] == "/services/" and html_lang(client.get("/services/")) == "en"


def test_the_switcher_never_sends_the_resident_to_another_site(client, service):
    answer = client.post("/i18n/setlang/", {"language": "es", "next": "https://evil.example/"})
    assert answer.status_code == 302 and answer["Location"] == "/"


def test_a_request_sent_in_spanish_remembers_spanish_on_the_contact(client, spanish_service, valid_data,
                                                                     django_capture_on_commit_callbacks):
    in_spanish(client)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(FORM_URL, valid_data)
    assert answer.status_code == 302
    case = Case.objects.get()
    assert case.contact.language == "es"
    confirmation = client.get(answer["Location"]).content.decode()
    assert "Recibimos su solicitud" in confirmation
    assert "Obras Públicas revisará su solicitud de «Bache»." in confirmation
    ack = Message.objects.get(direction=Direction.OUTBOUND)
    assert ack.body_text.startswith(f"Gracias. Recibimos su solicitud y le asignamos el número {case.number}.")
    assert "Responda a este correo electrónico para agregar información." in ack.body_text
    assert ack.subject == f"[{case.number}] Bache"  # a subject that is the service name is in their language


def test_the_language_last_used_is_the_one_kept(db):
    contact = resolve_contact([("email", "ana@example.com")], language="es-MX")
    assert contact.language == "es"
    assert resolve_contact([("email", "ana@example.com")]).language == "es"  # mail without a language keeps it
    assert resolve_contact([("email", "ana@example.com")], language="en-US").language == "en"
    assert resolve_contact([("email", "ana@example.com")], language="tlh").language == "en"  # not spoken here


def test_mail_to_a_spanish_contact_is_written_in_spanish_whatever_the_staff_page_speaks(db, service):
    case = create_case(channel="email", service=service, email="ana@example.com", subject="", language="es")
    assert Contact.objects.get(pk=case.contact_id).language == "es"
    ack = Message.objects.get(case=case, direction=Direction.OUTBOUND)
    assert ack.body_text.startswith("Gracias. Recibimos su solicitud") and ack.subject.endswith("Su solicitud")
    with translation.override("en"):
        rendered = render("email", case, ReplyKind.ACKNOWLEDGEMENT)
        english = create_case(channel="email", service=service, email="bob@example.com", subject="")
        staff_reply = reply(case, author=create_staff("agent"), text="Mañana vamos.")
    assert rendered.subject == f"[{case.number}] Su solicitud" and "Recibimos su solicitud" in rendered.text
    assert staff_reply.subject == f"[{case.number}] Su solicitud"
    assert Message.objects.get(case=english, direction=Direction.OUTBOUND).body_text.startswith(
        "Thank you. We received your request")


def test_followers_get_public_updates_in_their_own_language(client, service, django_capture_on_commit_callbacks):
    case = create_case(channel="web", service=service, email="owner@example.com")
    in_spanish(client)
    client.post(f"/gis/nearby/{case.public_id}/follow", {"follow_email": "vecina@example.com"})
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    client.post(f"/gis/nearby/{case.public_id}/follow", {"follow_email": "neighbor@example.com"},
                headers={"Accept-Language": "en"})
    update = reply(case, author=create_staff("agent"), text="Filled today.", public=True)
    copies = {m.recipient: m for m in Message.objects.filter(update_of=update)}
    assert copies["vecina@example.com"].subject == f"[{case.number}] Novedad sobre una solicitud que usted sigue"
    assert "publicó una novedad sobre la solicitud" in copies["vecina@example.com"].body_text
    assert copies["neighbor@example.com"].subject == f"[{case.number}] Update on a request you follow"


def test_service_content_shows_in_spanish_with_english_as_the_fallback(client, spanish_service):
    in_spanish(client)
    html = client.get(FORM_URL).content.decode()
    assert "<h1>Bache</h1>" in html and "Obras Públicas se encarga de esta solicitud." in html
    assert "A hole in the road surface." in html  # no Spanish description: the English one
    assert "Hasta 10,000 caracteres." in html  # numbers as US Spanish writes them (civicdesk.formats.es)
    assert "¿Qué tamaño tiene?" in html and "Más pequeño que un plato" in html
    assert ">Larger</label>" in html  # an answer with no Spanish label keeps its English one
    assert "Which lanes?" in html  # a question with no Spanish keeps its English text
    listing = client.get("/services/").content.decode()
    assert '<h2 id="streets">Calles</h2>' in listing and ">Bache</a>" in listing  # anchors stay English
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "<h1>Pothole</h1>" in client.get(FORM_URL).content.decode()


def test_form_errors_come_back_in_spanish(client, spanish_service, valid_data):
    in_spanish(client)
    page = client.post(FORM_URL, {**valid_data, "attr_size": "", "email": "not-an-email", "attr_depth": "deep"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Hay 3 problemas con lo que escribió" in html
    assert "Elija una respuesta para «¿Qué tamaño tiene?»." in html
    assert "Escriba un correo electrónico como nombre@ejemplo.com." in html
    assert "Escriba un número para «Depth in centimetres», como 3 o 2.5." in html


def test_the_status_page_and_public_map_speak_spanish(client, spanish_service):
    case = create_case(channel="web", service=spanish_service, email="owner@example.com", lat=40.0, lon=-75.0)
    in_spanish(client)
    session = client.session  # the resident who sent it: their status page, not the public one
    session[VERIFIED_SESSION_KEY] = [case.public_id]
    session.save()
    html = client.get(f"/status/{case.public_id}/").content.decode()
    assert f"<h1>Solicitud {case.number}</h1>" in html and "<dd>Bache</dd>" in html
    assert re.search(r">\d{1,2} de [a-z]+ de 20\d\d", html), html
    features = client.get("/gis/cases.geojson").json()["features"]
    assert features and features[0]["properties"]["service"] == "Bache"
    catalogue = client.get("/jsi18n/").content.decode()
    assert "Se quit\\u00f3 el marcador." in catalogue or "Se quitó el marcador." in catalogue


def test_staff_pages_stay_in_english_with_no_switcher_whatever_the_browser_asks(client, service):
    page = client.get("/staff/login/", headers={"Accept-Language": "es"})
    html = page.content.decode()
    assert html_lang(page) == "en" and 'class="cd-language"' not in html
    in_spanish(client)
    assert html_lang(client.get("/staff/login/")) == "en"
    assert html_lang(client.get("/services/")) == "es"  # the resident side keeps the resident's choice


def test_with_no_staff_language_staff_pages_follow_the_browser(client, service, settings):
    settings.STAFF_LANGUAGE = ""
    page = client.get("/staff/login/", headers={"Accept-Language": "es"})
    assert html_lang(page) == "es" and 'class="cd-language"' in page.content.decode()
