"""A synthetic city for tests: shared edges, a hole filled by another area, a multipolygon, an invalid bow-tie."""

from shapely.geometry import MultiPolygon, Polygon, box

from civicdesk.gis.formats.base import SourceData, SourceFeature

X0, Y0 = -75.0, 40.0
STEP = 0.01

WARD_A = Polygon(box(X0, Y0, X0 + STEP, Y0 + STEP).exterior.coords,
                 [box(X0 + 0.004, Y0 + 0.004, X0 + 0.006, Y0 + 0.006).exterior.coords])
WARD_B = box(X0 + STEP, Y0, X0 + 2 * STEP, Y0 + STEP)
WARD_C = MultiPolygon([box(X0, Y0 + STEP, X0 + 2 * STEP, Y0 + 2 * STEP),
                       box(X0 + 0.03, Y0, X0 + 0.035, Y0 + 0.005)])
WARD_D = box(X0 + 0.004, Y0 + 0.004, X0 + 0.006, Y0 + 0.006)  # fills ward A's hole
WARDS = {"Ward A": WARD_A, "Ward B": WARD_B, "Ward C": WARD_C, "Ward D": WARD_D}

EDGE_AB = (X0 + STEP, Y0 + 0.005)  # on the shared edge of A and B
VERTEX_ABC = (X0 + STEP, Y0 + STEP)  # a vertex shared by A, B and C
HOLE_INSIDE = (X0 + 0.005, Y0 + 0.005)  # inside A's hole, so only in D
HOLE_EDGE = (X0 + 0.004, Y0 + 0.005)  # on the hole's ring: in A and in D
ISLAND = (X0 + 0.032, Y0 + 0.002)  # in C's second polygon
OUTSIDE = (X0 + 0.025, Y0 + 0.005)  # between B and C's island: in no ward
SPECIAL_POINTS = [EDGE_AB, VERTEX_ABC, HOLE_INSIDE, HOLE_EDGE, ISLAND, OUTSIDE]

BOWTIE = Polygon([(X0 + 0.05, Y0), (X0 + 0.06, Y0 + 0.01), (X0 + 0.06, Y0), (X0 + 0.05, Y0 + 0.01), (X0 + 0.05, Y0)])


def ward_source(include_bowtie: bool = False) -> SourceData:
    features = [SourceFeature({"NAME": name, "CODE": name[-1]}, geometry) for name, geometry in WARDS.items()]
    if include_bowtie:
        features.append(SourceFeature({"NAME": "Bow tie", "CODE": "X"}, BOWTIE))
    return SourceData(features, None, ["NAME", "CODE"])
