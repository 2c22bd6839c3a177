"""In-memory point-in-area index per boundary type: a raster of interior cells plus exact tests near edges.

Semantics are "covers": a point on an area's boundary is in that area. When several areas of one type cover a
point (a shared edge or vertex, or overlapping areas), the tie-break is the smallest geodesic area, then the lowest
id. A raster cell is labelled with an area only when that area contains the whole closed cell and no other area of
the type touches it, so answers from the raster equal the exact predicate; every other point is tested exactly with
prepared geometries (shapely.intersects_xy).
"""

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import intersects_xy
from shapely.geometry.base import BaseGeometry

NO_AREA = -1
MIXED = -2


@dataclass
class TypeIndex:
    """The areas of one type: ids, geometries, tie-break ranks, the interior raster and per-cell candidates."""

    area_type: str
    ids: np.ndarray  # int64, in tie-break order (index 0 wins ties)
    geoms: np.ndarray  # shapely geometries, prepared
    origin: tuple[float, float]
    cell: tuple[float, float]
    raster: np.ndarray  # int32 per cell (row-major, n x n): position in ids, NO_AREA or MIXED
    offsets: np.ndarray  # CSR: candidates of cell c are positions[offsets[c]:offsets[c + 1]] (MIXED cells only)
    positions: np.ndarray
    extent: tuple[float, float, float, float]

    def __post_init__(self) -> None:
        # plain Python lists make the scalar path (one lookup at a time) several times faster than numpy scalars
        self._n = self.raster.shape[0]
        self._raster_list = self.raster.ravel().tolist()
        self._offsets_list = self.offsets.tolist()
        self._positions_list = self.positions.tolist()
        self._geom_list = list(self.geoms)
        self._id_list = self.ids.tolist()

    @classmethod
    def build(cls, area_type: str, ids: list[int], geoms: list[BaseGeometry], sizes: list[float],
              cells_per_side: int | None = None) -> "TypeIndex":
        order = np.lexsort((np.asarray(ids), np.asarray(sizes)))  # smallest area, then lowest id
        id_array = np.asarray(ids, dtype=np.int64)[order]
        geom_array = np.asarray(geoms, dtype=object)[order]
        shapely.prepare(geom_array)
        minx, miny, maxx, maxy = shapely.total_bounds(geom_array)
        n = cells_per_side or int(np.clip(np.sqrt(len(ids)) * 16, 64, 768))
        width = max(maxx - minx, 1e-9) / n
        height = max(maxy - miny, 1e-9) / n
        raster, offsets, positions = cls._raster(geom_array, minx, miny, width, height, n)
        extent = (minx, miny, maxx, maxy)
        return cls(area_type, id_array, geom_array, (minx, miny), (width, height), raster, offsets, positions, extent)

    @staticmethod
    def _raster(geoms: np.ndarray, minx: float, miny: float, width: float, height: float,
                n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        grid_x, grid_y = np.meshgrid(np.arange(n), np.arange(n))
        ix, iy = grid_x.ravel(), grid_y.ravel()
        ex, ey = width * 1e-6, height * 1e-6  # a little margin absorbs rounding when points are put in cells
        boxes = shapely.box(minx + ix * width - ex, miny + iy * height - ey,
                            minx + (ix + 1) * width + ex, miny + (iy + 1) * height + ey)
        cell_idx, geom_idx = shapely.STRtree(geoms).query(boxes, predicate="intersects")
        counts = np.bincount(cell_idx, minlength=n * n)
        raster = np.full(n * n, NO_AREA, dtype=np.int32)
        raster[counts > 1] = MIXED
        single = counts[cell_idx] == 1
        c, g = cell_idx[single], geom_idx[single]
        inside = shapely.contains(geoms[g], boxes[c])
        raster[c] = np.where(inside, g, MIXED).astype(np.int32)
        mixed = raster[cell_idx] == MIXED
        c, g = cell_idx[mixed], geom_idx[mixed]
        order = np.lexsort((g, c))  # by cell, then tie-break position
        offsets = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=n * n))]).astype(np.int64)
        return raster.reshape(n, n), offsets, g[order].astype(np.int64)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(cell number, label) per point; points outside the extent get cell -1 and NO_AREA."""
        n = self._n
        minx, miny, maxx, maxy = self.extent
        inside = (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy)
        cx = np.minimum(np.floor((x - minx) / self.cell[0]), n - 1).astype(np.int64)
        cy = np.minimum(np.floor((y - miny) / self.cell[1]), n - 1).astype(np.int64)
        cells = np.where(inside, cy * n + cx, -1)
        labels = np.full(x.shape, NO_AREA, dtype=np.int32)
        labels[inside] = self.raster.ravel()[cells[inside]]
        return cells, labels

    def lookup_many(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The winning area id per point (NO_AREA when none covers it), vectorised."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        cells, labels = self._cells(x, y)
        out = np.full(x.shape, NO_AREA, dtype=np.int64)
        known = labels >= 0
        out[known] = self.ids[labels[known]]
        mixed = np.flatnonzero(labels == MIXED)
        if mixed.size:
            starts = self.offsets[cells[mixed]]
            counts = self.offsets[cells[mixed] + 1] - starts
            point = np.repeat(np.arange(mixed.size), counts)
            within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
            candidate = self.positions[np.repeat(starts, counts) + within]
            mx, my = x[mixed], y[mixed]
            # candidates are in tie-break order: the first that covers wins, so a cell's last candidate is only
            # tested for the points none of the others covered
            last = within == np.repeat(counts - 1, counts)
            early = ~last
            hit = shapely.intersects_xy(self.geoms[candidate[early]], mx[point[early]], my[point[early]])
            best = np.full(mixed.size, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, point[early][hit], candidate[early][hit])
            open_points = best[point[last]] == np.iinfo(np.int64).max
            rest_point, rest_candidate = point[last][open_points], candidate[last][open_points]
            hit = shapely.intersects_xy(self.geoms[rest_candidate], mx[rest_point], my[rest_point])
            best[rest_point[hit]] = rest_candidate[hit]
            found = best != np.iinfo(np.int64).max
            out[mixed[found]] = self.ids[best[found]]
        return out

    def covering(self, x: float, y: float) -> list[int]:
        """Every area of this type covering the point, winner first."""
        minx, miny, maxx, maxy = self.extent
        if not (minx <= x <= maxx and miny <= y <= maxy):
            return []
        n = self._n
        cx = min(int((x - minx) / self.cell[0]), n - 1)
        cy = min(int((y - miny) / self.cell[1]), n - 1)
        cell = cy * n + cx
        label = self._raster_list[cell]
        if label >= 0:
            return [self._id_list[label]]
        if label == NO_AREA:
            return []
        geoms, ids = self._geom_list, self._id_list
        return [ids[i] for i in self._positions_list[self._offsets_list[cell]:self._offsets_list[cell + 1]]
                if intersects_xy(geoms[i], x, y)]

    def lookup(self, x: float, y: float) -> int:
        found = self.covering(x, y)
        return found[0] if found else NO_AREA


@dataclass
class AreaIndex:
    """All areas of one generation, by type; jurisdiction_types are the types that draw the city's own boundary."""

    generation_id: int
    types: dict[str, TypeIndex]
    jurisdiction_types: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        # what "inside the jurisdiction" means: its own types when the generation has any, else any area at all
        own = [self.types[t] for t in sorted(self.jurisdiction_types) if t in self.types]
        self._jurisdiction = own or list(self.types.values())
        self._jurisdiction_extent = _union_extent([t.extent for t in self._jurisdiction])

    def jurisdiction_extent(self) -> tuple[float, float, float, float] | None:
        """(min_lon, min_lat, max_lon, max_lat) of the jurisdiction's boundary."""
        return self._jurisdiction_extent

    def in_jurisdiction(self, lon: float, lat: float) -> bool:
        """Whether the point is inside (or on the edge of) the jurisdiction: a bounding-box test first, then the
        polygons (a raster cell lookup, exact tests only near edges). With no areas at all, everything is inside."""
        box = self._jurisdiction_extent
        if box is None:
            return True
        if not (box[0] <= lon <= box[2] and box[1] <= lat <= box[3]):
            return False
        return any(index.covering(lon, lat) for index in self._jurisdiction)

    def covering(self, lon: float, lat: float) -> dict[str, list[int]]:
        """Area ids covering the point per type (winner first); types with no area are left out."""
        found = {}
        for area_type, index in self.types.items():
            ids = index.covering(lon, lat)
            if ids:
                found[area_type] = ids
        return found

    def extent(self) -> tuple[float, float, float, float] | None:
        return _union_extent([t.extent for t in self.types.values()])


def _union_extent(extents: list[tuple[float, float, float, float]]) -> tuple[float, float, float, float] | None:
    if not extents:
        return None
    boxes = np.array(extents)
    return float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max())
