"""Word lists behind the fast triage columns: information type, urgency, Spanish sentiment, English/Spanish
stop words. Written for CivicDesk (English and Spanish); the relevance weights come from the trained model file and
English sentiment from VADER's lexicon (vaderSentiment, MIT)."""

from civicdesk.listening.models import Category


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CATEGORY_WORDS: dict[str, str] = {
    Category.AFFECTED_PEOPLE: (
        "dead died killed injured injuries hurt missing trapped victims victim casualties evacuated evacuate "
        "evacuation shelter shelters homeless stranded rescued rescue survivors body bodies hospital wounded "
        "muertos muerto heridos herido desaparecidos desaparecido atrapados atrapado víctimas víctima evacuados "
        "evacuación albergue refugio rescate rescatados hospital lesionados fallecidos"),
    Category.INFRASTRUCTURE: (
        "power outage outages electricity blackout water main road roads closed closure bridge flooded flooding "
        "street streets traffic transit subway bus train gas leak sewer pipe pipes damage damaged collapsed "
        "collapse lines downed highway airport school schools hydrant sinkhole "
        "luz apagón electricidad agua calle calles cerrada cerrado puente inundada inundado inundación tráfico "
        "metro autobús tren gas fuga drenaje tubería daños dañado derrumbe carretera aeropuerto escuela escuelas"),
    Category.CAUTION_ADVICE: (
        "warning warnings watch alert alerts advisory avoid stay safe shelter-in-place boil caution careful "
        "evacuate update updates urged officials order curfew instructions tips prepare warn "
        "alerta aviso advertencia evite eviten precaución cuidado quédense quédate hierva toque actualización "
        "autoridades instrucciones prepárense recomendaciones"),
    Category.DONATIONS_VOLUNTEERING: (
        "donate donation donations donating volunteer volunteers volunteering relief fund funds blood supplies "
        "redcross charity raise raising text-to-give "
        "donar donación donaciones donativos voluntario voluntarios voluntariado ayuda víveres sangre colecta "
        "recaudar acopio"),
    Category.SYMPATHY: (
        "pray prayers praying thoughts condolences rip heartbroken sad tragedy tragic love hearts hugs sorry "
        "bless blessings support strong "
        "oración oraciones rezar rezando orando condolencias descanse tragedia triste fuerza pésame bendiciones"),
}

URGENT_WORDS = (
    "help trapped stuck urgent emergency sos need needs needed please send rescue stranded bleeding fire "
    "smoke injured collapsed 911 asap now hurry dying can't cannot nobody "
    "ayuda auxilio atrapado atrapada atrapados urgente emergencia necesito necesitamos necesitan manden envíen "
    "rescate sangrando incendio humo herido derrumbe ahora favor socorro")

SPANISH_SENTIMENT = {
    word: value for value, entries in (
        (2.5, "bien bueno buena buenos excelente gracias feliz alegría genial perfecto seguro seguros salvo "
              "salvos esperanza ayuda apoyo agradecido agradecida héroes mejor amor"),
        (-2.5, "mal malo mala terrible horrible triste miedo peligro peligroso muertos muerto heridos herido "
               "desastre tragedia destruido destruida pánico dolor peor grave graves odio culpa furia enojo "
               "atrapado atrapados inundado inundada incendio explosión"),
    ) for word in entries.split()
}

ENGLISH_STOPWORDS = words(
    "the and is are was were to of in on at for with this that it you i my we they he she not have has be "
    "just what from about all so but if there their our your will can do don't it's i'm")
SPANISH_STOPWORDS = words(
    "el la los las y es son fue de del en con por para que un una no se lo al le mi mis su sus muy pero más "
    "ya está están hay como esta este esto yo tu nos")

# words never tracked as surge terms on their own (too common to say what a surge is about)
TERM_STOPWORDS = ENGLISH_STOPWORDS | SPANISH_STOPWORDS | words(
    "from during after before says said through all are has had been being into over under more most some any "
    "also than then them these those who whom which when where why how out off very can could would should "
    "news people everyone please today tonight now new one two get got just like")
