"""GIS benchmarks: point-in-area lookups (bulk and single) against 1,000 areas of ~400 vertices, side by side with
PostgreSQL (PostGIS ST_Covers when the extension is available, else the built-in polygon type), and at 1M cases
the nearby-duplicate query, the city-wide map GeoJSON and the hotspot analysis.

Usage: python bench/bench_gis.py [--cases N] [--only sqlite|postgres] [--skip-cases] [--skip-postgres]
Prints lines `name: figure (budget) PASS|FAIL`; informational lines carry no verdict.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

BULK_BUDGET = 1_000_000  # points per second
SINGLE_BUDGET_US = 20.0
NEARBY_BUDGET_MS = 10.0
MAP_BUDGET_MS = 300.0
HOTSPOT_BUDGET_S = 2.0
CITY_BBOX = (-75.05, 39.95, -74.95, 40.05)  # bench/generate.py puts cases within 0.05 degrees of 40.0, -75.0
NX, NY, EDGE_POINTS = 40, 25, 100  # 1,000 areas, ~400 vertices each


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def synthetic_areas() -> tuple[list[int], list[Any], list[float], tuple[float, float, float, float]]:
    """A partition of a 0.4 x 0.25 degree region into 1,000 cells whose shared edges wiggle (100 points each)."""
    x0, y0, dx, dy = -75.2, 39.875, 0.01, 0.01
    t = np.linspace(0.0, 1.0, EDGE_POINTS + 1)

    def edge(ax: float, ay: float, bx: float, by: float, key: int) -> np.ndarray:
        bump = 0.12 * np.sin(np.pi * t) * np.sin((3 + key % 5) * np.pi * t)
        nx, ny = -(by - ay), bx - ax  # perpendicular, same for both neighbours (edges built in one direction)
        return np.column_stack([ax + (bx - ax) * t + nx * bump, ay + (by - ay) * t + ny * bump])

    def corner(i: int, j: int) -> tuple[float, float]:
        return x0 + i * dx, y0 + j * dy

    ids, geoms = [], []
    for j in range(NY):
        for i in range(NX):
            bottom = edge(*corner(i, j), *corner(i + 1, j), key=j * 131 + i)
            right = edge(*corner(i + 1, j), *corner(i + 1, j + 1), key=(i + 1) * 71 + j)
            top = edge(*corner(i, j + 1), *corner(i + 1, j + 1), key=(j + 1) * 131 + i)[::-1]
            left = edge(*corner(i, j), *corner(i, j + 1), key=i * 71 + j)[::-1]
            ring = np.vstack([bottom[:-1], right[:-1], top[:-1], left[:-1]])
            ids.append(len(ids) + 1)
            geoms.append(shapely.Polygon(ring))
    assert all(g.is_valid for g in geoms)
    sizes = [float(g.area) for g in geoms]
    return ids, geoms, sizes, (x0, y0, x0 + NX * dx, y0 + NY * dy)


def bench_index() -> tuple[list[str], dict[str, Any]]:
    from civicdesk.gis.index import NO_AREA, TypeIndex

    ids, geoms, sizes, extent = synthetic_areas()
    vertices = int(np.mean([len(g.exterior.coords) - 1 for g in geoms]))
    started = time.perf_counter()
    index = TypeIndex.build("ward", ids, geoms, sizes)
    build_s = time.perf_counter() - started
    rng = np.random.default_rng(5)
    n = 1_000_000
    x = rng.uniform(extent[0] - 0.01, extent[2] + 0.01, n)
    y = rng.uniform(extent[1] - 0.01, extent[3] + 0.01, n)
    index.lookup_many(x[:1000], y[:1000])
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        result = index.lookup_many(x, y)
        runs.append(time.perf_counter() - started)
    bulk_rate = n / min(runs)
    # exactness: compare a sample with shapely's exact predicate through an STRtree (covers = intersects for points)
    sample = slice(0, 100_000)
    tree = shapely.STRtree(np.array(geoms, dtype=object))
    p_idx, g_idx = tree.query(shapely.points(x[sample], y[sample]), predicate="intersects")
    order = np.lexsort((np.array(ids), np.array(sizes)))
    rank = np.empty(len(ids), dtype=np.int64)
    rank[order] = np.arange(len(ids))
    want = np.full(100_000, NO_AREA)
    best = np.full(100_000, np.iinfo(np.int64).max)
    np.minimum.at(best, p_idx, rank[g_idx])
    found = best != np.iinfo(np.int64).max
    want[found] = np.array(ids)[order][best[found]]
    exact = bool((result[sample] == want).all())
    singles = 20_000
    xs, ys = x[:singles].tolist(), y[:singles].tolist()
    for k in range(1000):
        index.lookup(xs[k], ys[k])
    batches = []
    for _ in range(5):  # best of five passes: the machine is shared, the minimum is the least disturbed figure
        started = time.perf_counter()
        for k in range(singles):
            index.lookup(xs[k], ys[k])
        batches.append((time.perf_counter() - started) / singles * 1e6)
    single_us = min(batches)
    mixed = float((index.raster < 0).mean() * 100)
    lines = [
        f"gis index build ({len(ids)} areas x {vertices} vertices, raster {index.raster.shape[0]}^2, "
        f"{mixed:.0f}% edge cells): {build_s:.2f} s",
        f"gis bulk point lookup, 1M points: {bulk_rate:,.0f} points/s (budget >= {BULK_BUDGET:,}/s, "
        f"exact on 100k sample: {exact}) {verdict(bulk_rate >= BULK_BUDGET and exact)}",
        f"gis single point lookup: {single_us:.1f} us best of 5 x 20k, median {statistics.median(batches):.1f} us "
        f"(budget <= {SINGLE_BUDGET_US:.0f} us) "
        f"{verdict(single_us <= SINGLE_BUDGET_US)}",
    ]
    return lines, {"geoms": geoms, "ids": ids, "x": x, "y": y, "result": result, "bulk_rate": bulk_rate,
                   "single_us": single_us}


def ensure_postgis(db: Any) -> str:
    """Install Debian's PostGIS for the running server when apt offers it (as the issue asks); say what happened."""
    if db.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone():
        return "installed"
    major = int(db.execute("SHOW server_version_num").fetchone()[0]) // 10000
    package = f"postgresql-{major}-postgis-3"
    policy = subprocess.run(["apt-cache", "policy", package], capture_output=True, text=True).stdout
    candidate = next((line.split(":", 1)[1].strip() for line in policy.splitlines()
                      if line.strip().startswith("Candidate:")), "(none)")
    if candidate == "(none)":
        return f"{package} has no apt candidate"
    if os.geteuid() != 0:
        return f"{package} {candidate} is installable but this run is not root"
    done = subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                          capture_output=True, text=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    if done.returncode != 0:
        return f"apt-get install {package} failed: {done.stderr.strip().splitlines()[-1:]}"
    return f"installed {package} {candidate} from Debian's packages for this run"


def bench_postgres(data: dict[str, Any]) -> list[str]:
    """The same lookups in PostgreSQL: PostGIS if available, else polygon @> point with a GiST && prefilter."""
    import psycopg

    server = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    admin_url = server
    bench_url = server.rsplit("/", 1)[0] + "/civicdesk_gis_bench"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = 'civicdesk_gis_bench'").fetchone():
            admin.execute("CREATE DATABASE civicdesk_gis_bench")
    lines = []
    geoms, ids, x, y, mine = data["geoms"], data["ids"], data["x"], data["y"], data["result"]
    with psycopg.connect(bench_url, autocommit=True) as db:
        db.execute("SET jit = off")
        postgis_note = ensure_postgis(db)
        postgis = bool(db.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone())
        db.execute("DROP TABLE IF EXISTS gis_bench_sub")
        db.execute("DROP TABLE IF EXISTS gis_bench_areas")
        db.execute("DROP TABLE IF EXISTS gis_bench_polygons")
        if postgis:
            db.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            db.execute("CREATE TABLE gis_bench_areas (id int, geom geometry(Polygon, 4326))")
            with db.cursor().copy("COPY gis_bench_areas (id, geom) FROM STDIN") as copy:
                for area_id, geom in zip(ids, geoms, strict=True):
                    copy.write_row((area_id, f"SRID=4326;{geom.wkt}"))
            # MapIt's layout: lookups go to ST_Subdivide pieces (at most 64 vertices) under a GiST index
            db.execute("CREATE TABLE gis_bench_sub AS SELECT id, ST_Subdivide(geom, 64) AS geom FROM gis_bench_areas")
            db.execute("CREATE INDEX gis_bench_sub_geom ON gis_bench_sub USING gist (geom)")
            db.execute("ANALYZE gis_bench_sub")
            single_sql = ("SELECT id FROM gis_bench_sub WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) "
                          "ORDER BY id LIMIT 1")
            bulk_sql = ("SELECT p.i, min(s.id) FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY p(x, y, i) "
                        "JOIN gis_bench_sub s ON ST_Covers(s.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) "
                        "GROUP BY p.i")
            pieces = db.execute("SELECT count(*) FROM gis_bench_sub").fetchone()[0]
            method = f"PostGIS ST_Covers over ST_Subdivide(64) pieces ({pieces:,}), GiST ({postgis_note})"
        else:
            db.execute("CREATE TABLE gis_bench_polygons (id int, poly polygon)")
            with db.cursor().copy("COPY gis_bench_polygons (id, poly) FROM STDIN") as copy:
                for area_id, geom in zip(ids, geoms, strict=True):
                    ring = ",".join(f"({cx!r},{cy!r})" for cx, cy in list(geom.exterior.coords)[:-1])
                    copy.write_row((area_id, f"({ring})"))
            db.execute("CREATE INDEX ON gis_bench_polygons USING gist (poly)")
            db.execute("ANALYZE gis_bench_polygons")
            single_sql = ("SELECT id FROM gis_bench_polygons WHERE poly && polygon(box(point(%s, %s), point(%s, %s))) "
                          "AND poly @> point(%s, %s) ORDER BY id LIMIT 1")
            bulk_sql = ("SELECT p.i, min(a.id) FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY p(x, y, i) "
                        "JOIN gis_bench_polygons a ON a.poly && polygon(box(point(p.x, p.y), point(p.x, p.y))) "
                        "AND a.poly @> point(p.x, p.y) GROUP BY p.i")
            method = f"built-in polygon @> point with a GiST && prefilter (no PostGIS: {postgis_note})"
        singles = 2000
        cursor = db.cursor()
        args = (lambda k: (x[k], y[k])) if postgis else (lambda k: (x[k], y[k], x[k], y[k], x[k], y[k]))
        for k in range(50):
            cursor.execute(single_sql, args(k), prepare=True)
        started = time.perf_counter()
        for k in range(singles):
            cursor.execute(single_sql, args(k), prepare=True)
            cursor.fetchone()
        pg_single_us = (time.perf_counter() - started) / singles * 1e6
        n = min(200_000, len(x))
        started = time.perf_counter()
        rows = cursor.execute(bulk_sql, (x[:n].tolist(), y[:n].tolist())).fetchall()
        pg_rate = n / (time.perf_counter() - started)
        theirs = np.full(n, -1)
        for i, area_id in rows:
            theirs[i - 1] = area_id
        agree = float((theirs == mine[:n]).mean() * 100)  # same area id (or none) per point
    lines.append(f"gis postgres method: {method}")
    lines.append(f"gis postgres single lookup: {pg_single_us:.0f} us; in-memory index is "
                 f"{pg_single_us / data['single_us']:.0f}x faster")
    lines.append(f"gis postgres bulk lookup, {n:,} points in one query: {pg_rate:,.0f} points/s; in-memory index is "
                 f"{data['bulk_rate'] / pg_rate:.0f}x faster (same answer as the index for {agree:.3f}% of points)")
    return lines


def run_cases(engine: str) -> list[str]:
    """At 1M cases (DATABASE_URL set by the parent): nearby duplicates, city-wide map GeoJSON, hotspots."""
    import django

    django.setup()
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import connection

    from civicdesk.agencies.models import Service
    from civicdesk.cases.filters import BBox, CaseFilters, StatusGroup
    from civicdesk.cases.models import Case
    from civicdesk.gis import mapdata
    from civicdesk.gis.case_locations import rebuild_case_locations
    from civicdesk.gis.hotspots import Grid, hotspot_features, hotspots
    from civicdesk.gis.models import CaseLocation
    from civicdesk.gis.queries import nearby_open_cases

    total = Case.objects.count()
    located = Case.objects.filter(lat__isnull=False, merged_into__isnull=True).count()
    backfill = ""
    if CaseLocation.objects.count() != located:  # bench/generate.py bulk-loads cases without the hooks
        started = time.perf_counter()
        rebuild_case_locations()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE gis_caselocation" if connection.vendor == "postgresql" else
                           "ANALYZE gis_caselocation")
        backfill = f"gis backfill of CaseLocation ({engine}, {located:,} located cases): " \
                   f"{time.perf_counter() - started:.1f} s (one-off, `civicdesk gis-index-cases`)"
    services = list(Service.objects.all())
    rng = np.random.default_rng(11)
    points = [(40.0 + rng.uniform(-0.045, 0.045), -75.0 + rng.uniform(-0.045, 0.045)) for _ in range(60)]
    chosen = [services[k % len(services)] for k in range(60)]
    for (lat, lon), service in zip(points[:10], chosen[:10], strict=True):
        nearby_open_cases(service, lat, lon)
    times, found = [], 0
    for (lat, lon), service in zip(points[10:], chosen[10:], strict=True):
        started = time.perf_counter()
        found += len(nearby_open_cases(service, lat, lon))
        times.append((time.perf_counter() - started) * 1000)
    nearby_ms = statistics.median(times)
    filters = CaseFilters(bbox=BBox(*CITY_BBOX), status_group=StatusGroup.OPEN, located=True)
    open_count = mapdata.location_rows(None, filters).count()
    json.dumps(mapdata.cases_geojson(None, filters, public=True), cls=DjangoJSONEncoder)
    times = []
    for _ in range(5):  # what the endpoint does: build the layer and serialise it as JsonResponse would
        started = time.perf_counter()
        data = mapdata.cases_geojson(None, filters, public=True)
        body = json.dumps(data, cls=DjangoJSONEncoder)
        times.append((time.perf_counter() - started) * 1000)
    map_ms = statistics.median(times)
    aggregated = data["properties"]["aggregated"]
    clustered_ok = aggregated or open_count <= mapdata.MAX_POINTS  # past 5,000 points the server must aggregate
    times = []
    for _ in range(3):
        started = time.perf_counter()
        grid = Grid.base(CITY_BBOX, 250.0)
        counts = mapdata.grid_counts(mapdata.location_rows(None, CaseFilters(bbox=BBox(*CITY_BBOX)), exact=False), grid)
        result = hotspots(counts)
        features = hotspot_features(grid, result, counts)
        times.append(time.perf_counter() - started)
    hot_s = statistics.median(times)
    tag = f"{engine}, {total:,} cases"
    connection.close()
    return [backfill] * bool(backfill) + [
        f"gis nearby duplicates ({tag}; 250 m, same service, open, top 5; {found / 50:.1f} found on average): "
        f"{nearby_ms:.1f} ms median (budget <= {NEARBY_BUDGET_MS:.0f} ms) {verdict(nearby_ms <= NEARBY_BUDGET_MS)}",
        f"gis map GeoJSON city-wide, open cases ({tag}; {open_count:,} match; "
        f"{'server-side grid aggregation' if aggregated else 'points'}, {len(data['features']):,} features, "
        f"{len(body) / 1024:,.0f} KiB): {map_ms:.0f} ms median incl. JSON (budget <= {MAP_BUDGET_MS:.0f} ms, "
        f"aggregated past {mapdata.MAX_POINTS:,} points) {verdict(map_ms <= MAP_BUDGET_MS and clustered_ok)}",
        f"gis hotspots Gi* + FDR over all located cases ({tag}; {int(counts.sum()):,} binned; "
        f"{grid.nx}x{grid.ny} cells of ~250 m, {len(features)} "
        f"significant): {hot_s:.2f} s median (budget <= {HOTSPOT_BUDGET_S:.0f} s) {verdict(hot_s <= HOTSPOT_BUDGET_S)}",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--skip-cases", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        lines = run_cases(args.engine)
        for line in lines:
            print(line, flush=True)
        return 1 if any(line.endswith("FAIL") for line in lines) else 0
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicdesk.settings")
    lines, data = bench_index()
    for line in lines:
        print(line, flush=True)
    if not args.skip_postgres:
        for line in bench_postgres(data):
            print(line, flush=True)
    status = 1 if any(line.endswith("FAIL") for line in lines) else 0
    if args.skip_cases:
        return status
    import generate

    for engine in ("sqlite", "postgres"):
        if args.only and engine != args.only:
            continue
        url = generate.sqlite_url(args.cases) if engine == "sqlite" else generate.postgres_url(args.cases)
        built = generate.generate(args.cases, url)
        if not built.cached:
            print(generate.report(engine, built), flush=True)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
               "CIVICDESK_VAR_DIR": str(generate.BENCH_DIR / "var"), "DEBUG": "false", "LOG_LEVEL": "WARNING",
               "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"}
        child = subprocess.run([sys.executable, __file__, "--engine", engine], env=env, cwd=ROOT)
        status = status or child.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
