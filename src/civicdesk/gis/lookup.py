"""The cached point-lookup index of the active generation, rebuilt when the active generation changes."""

import threading
import time
from collections import defaultdict

import shapely
from django.conf import settings

from civicdesk.gis.index import AreaIndex, TypeIndex
from civicdesk.gis.models import Area, AreaType, Generation

_lock = threading.Lock()
_state: dict[str, object] = {"index": None, "key": None, "checked_at": 0.0}


def build_index(generation_id: int) -> AreaIndex:
    """Build the index of every area valid in a generation (MapIt's generation_low..generation_high)."""
    rows = Area.objects.filter(generation_low_id__lte=generation_id, generation_high_id__gte=generation_id
                               ).values_list("id", "type", "wkb", "area_m2")
    by_type: dict[str, tuple[list[int], list[object], list[float]]] = defaultdict(lambda: ([], [], []))
    for area_id, area_type, wkb, size in rows.iterator(chunk_size=500):
        ids, geoms, sizes = by_type[str(area_type)]  # the column holds the type's slug
        ids.append(area_id)
        geoms.append(shapely.from_wkb(bytes(wkb)))
        sizes.append(size)
    jurisdiction = frozenset(AreaType.objects.filter(is_jurisdiction=True).values_list("slug", flat=True))
    return AreaIndex(generation_id, {t: TypeIndex.build(t, *parts) for t, parts in by_type.items()},  # type: ignore[arg-type]
                     jurisdiction_types=jurisdiction & set(by_type))


def active_generation_key() -> tuple[int, object] | None:
    """(id, activated_at) of the active generation: ids alone can repeat after a rolled-back transaction."""
    row = Generation.objects.filter(active=True).values_list("id", "activated_at").first()
    return (row[0], row[1]) if row else None


def active_index(*, verify: bool = True) -> AreaIndex | None:
    """The index of the active generation, checked against the database on each call unless verify=False
    (then it is re-checked every GIS_INDEX_CHECK_SECONDS; for hot loops that tolerate a short delay)."""
    now = time.monotonic()
    index = _state["index"]
    fresh = now - float(_state["checked_at"]) < settings.GIS_INDEX_CHECK_SECONDS  # type: ignore[arg-type]
    if index is not None and not verify and fresh:
        return index  # type: ignore[return-value]
    key = active_generation_key()
    with _lock:
        if key is None:
            _state.update(index=None, key=None, checked_at=now)
            return None
        if _state.get("key") != key or _state["index"] is None:
            _state["index"] = build_index(key[0])
            _state["key"] = key
        _state["checked_at"] = now
        return _state["index"]  # type: ignore[return-value]


def invalidate() -> None:
    """Forget the cached index; the next lookup rebuilds it (called when a generation switches or areas change)."""
    with _lock:
        _state.update(index=None, key=None, checked_at=0.0)
