"""Indexes kept in this process between queries, rebuilt only when the documents' text changed.

The caller reads its documents fresh on every query (one query for the service catalogue) and hands them in; the
cached index is reused when their fingerprint is unchanged, bound to the fresh documents so that what a result
shows (an agency's name, say) is never stale, and rebuilt at once when an admin changed any searched text.
Every process sees an edit on its next search: there is nothing to expire or clear.
"""

import threading

from civicdesk.search.documents import Document
from civicdesk.search.index import SearchIndex

_lock = threading.Lock()
_indexes: dict[str, SearchIndex] = {}


def index_for(name: str, documents: list[Document], languages: tuple[str, ...]) -> SearchIndex:
    """The index of these documents under this name, from the cache when their text has not changed."""
    fingerprint = tuple(d.fingerprint() for d in documents)
    with _lock:
        cached = _indexes.get(name)
    if cached is not None and cached.fingerprint == fingerprint and cached.requested_languages == languages:
        return cached.rebind(documents)
    index = SearchIndex(documents, languages)
    with _lock:
        _indexes[name] = index
    return index


def forget_indexes() -> None:
    """Drop every cached index of this process (tests use it to measure a cold start)."""
    with _lock:
        _indexes.clear()
