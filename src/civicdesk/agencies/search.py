"""The service catalogue as search documents: which text of a service the resident's search box reads.

`service_texts` is the hook. It yields a service's texts with their language and field: the English fields, the
search terms in any language, and translated names, topics and descriptions in theirs; the index reads each with
its own language's stemmer and stop words. Other translated text (a translations table, say) is added here.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

from django.conf import settings

from civicdesk.agencies.models import Service
from civicdesk.search.analysis import base_language
from civicdesk.search.cache import index_for
from civicdesk.search.documents import ANY_LANGUAGE, Document, Field, Kind, Text
from civicdesk.search.ranking import search

# The languages a query is read in (the portal's): "bache" is found through a Spanish reading, "potholes" through
# an English one.
SEARCH_LANGUAGES = ("en", "es")
TRANSLATED_FIELDS = (("name", Field.NAME), ("group", Field.TOPIC), ("description", Field.DESCRIPTION))


@dataclass
class ServiceResults:
    query: str
    services: list[Service]
    suggestion: str = ""  # the query with its typos corrected ("stret light" -> "street light")


def service_texts(service: Service, language: str) -> Iterator[Text]:
    """What the search reads of a service, in which language and field (see the module's note); `language` is
    the site's default, that of the model's own fields. Translated fields, kept as
    translations = {"es": {"name": ..., "description": ..., "group": ...}}, are read in their own language."""
    yield Text(language, Field.NAME, service.name)
    yield Text(language, Field.KEYWORDS, service.keywords)
    yield Text(language, Field.TOPIC, service.group)
    yield Text(language, Field.DESCRIPTION, service.description)
    yield Text(ANY_LANGUAGE, Field.TERMS, service.search_terms)
    translations = getattr(service, "translations", None) or {}
    for code, fields in sorted(translations.items()) if isinstance(translations, dict) else ():
        if isinstance(fields, dict):
            for name, field in TRANSLATED_FIELDS:
                if isinstance(fields.get(name), str):
                    yield Text(code, field, fields[name])


def service_document(service: Service, language: str) -> Document:
    return Document(Kind.SERVICE, service.code, [t for t in service_texts(service, language) if t.text],
                    payload=service)


def search_services(query: str, services: list[Service], *, limit: int | None = None) -> ServiceResults:
    """These services ranked for a query, best first; the services none of its words (or near misses) match are left
    out. The index is built once per process and rebuilt only when a searched text changed."""
    language = base_language(settings.LANGUAGE_CODE)
    index = index_for("services", [service_document(s, language) for s in services], SEARCH_LANGUAGES)
    results = search(index, query, kinds={Kind.SERVICE}, limit=limit)
    return ServiceResults(query, [cast(Service, hit.document.payload) for hit in results.hits], results.suggestion)
