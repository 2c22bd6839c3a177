"""The point index agrees with shapely's exact covers predicate, including edges, vertices, holes and islands."""

import numpy as np
import pytest
import shapely

from civicdesk.gis.geometry import geodesic_area_m2
from civicdesk.gis.index import NO_AREA, TypeIndex
from civicdesk.gis.tests import fixtures as city

IDS = {name: number for number, name in enumerate(city.WARDS, start=1)}


def build(cells: int | None = None) -> TypeIndex:
    names = list(city.WARDS)
    return TypeIndex.build("ward", [IDS[n] for n in names], [city.WARDS[n] for n in names],
                           [geodesic_area_m2(city.WARDS[n]) for n in names], cells_per_side=cells)


def expected(x: float, y: float) -> list[int]:
    """Brute force: every covering ward, ordered by the documented tie-break (smallest area, then lowest id)."""
    found = [(geodesic_area_m2(g), IDS[n]) for n, g in city.WARDS.items() if g.covers(shapely.Point(x, y))]
    return [i for _, i in sorted(found)]


@pytest.mark.parametrize("cells", [None, 7, 64])
def test_special_points_follow_covers_and_tie_break(cells):
    index = build(cells)
    for x, y in city.SPECIAL_POINTS:
        assert index.covering(x, y) == expected(x, y), (x, y)
    assert index.covering(*city.EDGE_AB) == [IDS["Ward A"], IDS["Ward B"]]  # A is smaller: it has a hole
    assert set(index.covering(*city.VERTEX_ABC)) == {IDS["Ward A"], IDS["Ward B"], IDS["Ward C"]}
    assert index.covering(*city.HOLE_INSIDE) == [IDS["Ward D"]]
    assert index.covering(*city.HOLE_EDGE) == [IDS["Ward D"], IDS["Ward A"]]
    assert index.covering(*city.ISLAND) == [IDS["Ward C"]]
    assert index.covering(*city.OUTSIDE) == []


@pytest.mark.parametrize("cells", [None, 5, 33])
def test_bulk_lookup_equals_exact_predicates(cells):
    index = build(cells)
    rng = np.random.default_rng(7)
    x = rng.uniform(city.X0 - 0.005, city.X0 + 0.04, 20000)
    y = rng.uniform(city.Y0 - 0.005, city.Y0 + 0.025, 20000)
    # add points snapped to the grid of edges and vertices, where ties happen
    gx = np.round(rng.uniform(city.X0, city.X0 + 0.035, 2000) / 0.001) * 0.001
    gy = np.round(rng.uniform(city.Y0, city.Y0 + 0.02, 2000) / 0.001) * 0.001
    special = np.array(city.SPECIAL_POINTS)
    x = np.concatenate([x, gx, special[:, 0]])
    y = np.concatenate([y, gy, special[:, 1]])
    result = index.lookup_many(x, y)
    names = list(city.WARDS)
    geoms = np.array([city.WARDS[n] for n in names], dtype=object)
    covers = np.stack([shapely.intersects_xy(g, x, y) for g in geoms])  # intersects_xy == covers for points
    order = sorted(range(len(names)), key=lambda i: (geodesic_area_m2(geoms[i]), IDS[names[i]]))
    want = np.full(x.shape, NO_AREA)
    for i in reversed(order):
        want[covers[i]] = IDS[names[i]]
    assert (result == want).all()
    for k in range(0, len(x), 97):
        assert index.lookup(x[k], y[k]) == want[k]
