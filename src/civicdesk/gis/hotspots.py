"""Hotspots: Getis-Ord Gi* z-scores over a grid of counts, with Benjamini-Hochberg false discovery rate control."""

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, stats

from civicdesk.gis.cells import CELL_DEGREES
from civicdesk.gis.geometry import EARTH_RADIUS_M


@dataclass
class Grid:
    """A regular lon/lat grid of about cell_m metres over an extent."""

    min_lon: float
    min_lat: float
    dx: float
    dy: float
    nx: int
    ny: int

    row0: int = 0  # for base-aligned grids: the base cell row and column of the south-west cell
    col0: int = 0
    k: int = 1  # base cells per grid cell side

    @classmethod
    def base(cls, extent: tuple[float, float, float, float], cell_m: float = 250.0) -> "Grid":
        """A grid aligned on CaseLocation's base cells, k x k base cells per cell (k from cell_m)."""
        min_lon, min_lat, max_lon, max_lat = extent
        base_m = CELL_DEGREES * math.pi / 180 * EARTH_RADIUS_M
        k = max(1, round(cell_m / base_m))
        size = k * CELL_DEGREES
        row0 = math.floor((min_lat + 90) / CELL_DEGREES) // k * k
        col0 = math.floor((min_lon + 180) / CELL_DEGREES) // k * k
        ny = max(1, math.ceil((max_lat + 90 - row0 * CELL_DEGREES) / size))
        nx = max(1, math.ceil((max_lon + 180 - col0 * CELL_DEGREES) / size))
        return cls(col0 * CELL_DEGREES - 180, row0 * CELL_DEGREES - 90, size, size, nx, ny, row0, col0, k)

    @classmethod
    def over(cls, extent: tuple[float, float, float, float], cell_m: float = 250.0) -> "Grid":
        min_lon, min_lat, max_lon, max_lat = extent
        dy = math.degrees(cell_m / EARTH_RADIUS_M)
        dx = dy / math.cos(math.radians((min_lat + max_lat) / 2))
        nx = max(1, math.ceil((max_lon - min_lon) / dx))
        ny = max(1, math.ceil((max_lat - min_lat) / dy))
        return cls(min_lon, min_lat, dx, dy, nx, ny)

    def counts(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        """Counts per cell as a (ny, nx) array; points outside the grid are ignored."""
        cx = np.floor((np.asarray(lons) - self.min_lon) / self.dx).astype(np.int64)
        cy = np.floor((np.asarray(lats) - self.min_lat) / self.dy).astype(np.int64)
        keep = (cx >= 0) & (cx < self.nx) & (cy >= 0) & (cy < self.ny)
        flat = np.bincount(cy[keep] * self.nx + cx[keep], minlength=self.nx * self.ny)
        return flat.reshape(self.ny, self.nx).astype(np.float64)

    def cell_polygon(self, ix: int, iy: int) -> list[list[list[float]]]:
        w, s = self.min_lon + ix * self.dx, self.min_lat + iy * self.dy
        return [[[w, s], [w + self.dx, s], [w + self.dx, s + self.dy], [w, s + self.dy], [w, s]]]


@dataclass
class HotspotResult:
    z: np.ndarray
    p: np.ndarray
    significant: np.ndarray  # bool, after FDR
    level: np.ndarray  # +3/+2/+1 hot at 99/95/90 %, -1..-3 cold, 0 not significant (all FDR-controlled)


def gi_star(counts: np.ndarray, band_cells: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores and two-sided p-values with binary weights within a radius of band_cells (self included)."""
    x = np.asarray(counts, dtype=np.float64)
    n = x.size
    r = band_cells
    yy, xx = np.mgrid[-r:r + 1, -r:r + 1]
    kernel = ((xx**2 + yy**2) <= r * r).astype(np.float64)
    local_sum = ndimage.convolve(x, kernel, mode="constant", cval=0.0)
    weights = ndimage.convolve(np.ones_like(x), kernel, mode="constant", cval=0.0)  # sum of w_ij (= sum of w_ij^2)
    mean = x.mean()
    s = math.sqrt(max((x**2).mean() - mean**2, 0.0))
    if s == 0 or n < 2:
        return np.zeros_like(x), np.ones_like(x)
    denominator = s * np.sqrt((n * weights - weights**2) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(denominator > 0, (local_sum - mean * weights) / denominator, 0.0)
    p = 2 * stats.norm.sf(np.abs(z))
    return z, p


def fdr_mask(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini-Hochberg: which p-values are significant at false discovery rate alpha."""
    flat = p.ravel()
    m = flat.size
    order = np.argsort(flat)
    thresholds = alpha * np.arange(1, m + 1) / m
    passed = flat[order] <= thresholds
    mask = np.zeros(m, dtype=bool)
    if passed.any():
        mask[order[: np.flatnonzero(passed).max() + 1]] = True
    return mask.reshape(p.shape)


def hotspots(counts: np.ndarray, band_cells: int = 2) -> HotspotResult:
    z, p = gi_star(counts, band_cells)
    level = np.zeros(z.shape, dtype=np.int8)
    for alpha, value in ((0.10, 1), (0.05, 2), (0.01, 3)):
        mask = fdr_mask(p, alpha)
        level[mask] = np.sign(z[mask]).astype(np.int8) * value
    return HotspotResult(z, p, level != 0, level)


def hotspot_features(grid: Grid, result: HotspotResult, counts: np.ndarray) -> list[dict[str, object]]:
    """Significant cells as GeoJSON features with z, p, confidence and hot/cold."""
    features: list[dict[str, object]] = []
    for iy, ix in zip(*np.nonzero(result.significant), strict=True):
        level = int(result.level[iy, ix])
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": grid.cell_polygon(ix, iy)},
                         "properties": {"z": round(float(result.z[iy, ix]), 3), "p": float(result.p[iy, ix]),
                                        "kind": "hot" if level > 0 else "cold",
                                        "confidence": {1: 90, 2: 95, 3: 99}[abs(level)],
                                        "count": int(counts[iy, ix])}})
    return features
