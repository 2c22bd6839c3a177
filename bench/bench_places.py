"""Places benchmarks: import 100,000 address points (a CSV, through the real command) and 2,000 street centrelines
(GeoJSON), then time address suggestions (prefix, typo, house number, place name), the nearest address and the base
map layer through the test Client, on SQLite and PostgreSQL.

Usage: python bench/bench_places.py [--addresses N] [--only sqlite|postgres] [--runs 30]
Prints lines `name: figure (budget) PASS|FAIL`; informational lines carry no verdict.
"""

import argparse
import csv
import io
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

import generate  # noqa: E402

IMPORT_BUDGET_S = 30.0
SEARCH_BUDGET_MS = 50.0
NEAREST_BUDGET_MS = 50.0
CITY = (-75.1, 39.9, -74.9, 40.1)  # about 17 x 22 km
SUFFIXES = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Place", "Way", "Boulevard", "Terrace"]
ROOTS = ["Oak", "Maple", "Cedar", "Pine", "Elm", "Birch", "Willow", "Chestnut", "Walnut", "Spruce", "Aspen", "Holly",
         "Laurel", "Magnolia", "Hickory", "Poplar", "Sycamore", "Juniper", "Cherry", "Apple", "Orchard", "Meadow",
         "Hill", "Valley", "River", "Lake", "Brook", "Spring", "Forest", "Park", "Garden", "Church", "School", "Mill",
         "Market", "Bridge", "Harbor", "Canal", "Ferry", "Station", "Union", "Liberty", "Franklin", "Lincoln",
         "Washington", "Jefferson", "Madison", "Monroe", "Jackson", "Adams", "Grant", "Hamilton", "Warren", "Clinton",
         "Highland", "Sunset", "Sunrise", "Prospect", "Summit", "Ridge", "Fairview", "Pleasant", "Green", "Center",
         "North", "South", "East", "West", "Front", "Water", "High", "King", "Queen", "Prince", "Court", "Academy",
         "College", "Carriage", "Fox", "Deer", "Eagle", "Hawk", "Robin", "Sparrow", "Wren", "Heron", "Falcon",
         "Quarry", "Stone", "Rock", "Granite", "Marble", "Silver", "Golden", "Copper", "Iron", "Timber", "Elmwood",
         "Oakwood", "Woodland", "Greenwood", "Lakeview", "Riverside", "Hillside", "Brookside", "Parkside"]
QUERIES = {
    "prefix": ["120 oak st", "145 willow", "201 lincoln av", "130 mark", "1 river"],
    "typo": ["120 oka st", "145 wilow dr", "lincln ave", "130 markte", "heron cour"],
    "place": ["city hall", "central libary", "riverside park", "lincoln school", "old mill"],
    "street only": ["oak", "washington", "summit r", "granite", "falcon w"],
}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def write_files(folder: Path, n: int) -> tuple[Path, Path, Path]:
    """A CSV of n addresses along 2,000 synthetic streets, the streets as GeoJSON and a few places as GeoJSON."""
    rng = random.Random(9)
    names = sorted({f"{a} {s}" for a in ROOTS for s in SUFFIXES})
    rng.shuffle(names)
    names = names[:2000]
    w, s, e, n_ = CITY
    streets = []
    for k, name in enumerate(names):
        if k % 2:
            lat = rng.uniform(s, n_)
            x0 = rng.uniform(w, e - 0.03)
            streets.append((name, [(x0, lat), (x0 + rng.uniform(0.01, 0.03), lat)]))
        else:
            lon = rng.uniform(w, e)
            y0 = rng.uniform(s, n_ - 0.03)
            streets.append((name, [(lon, y0), (lon, y0 + rng.uniform(0.01, 0.03))]))
    addresses = folder / "addresses.csv"
    per_street = n // len(streets) + 1
    written = 0
    with addresses.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["ADDR_NUM", "ST_NAME", "ZIP", "LATITUDE", "LONGITUDE"])
        for name, ((x0, y0), (x1, y1)) in streets:
            for k in range(per_street):
                if written >= n:
                    break
                t = (k + 0.5) / per_street
                out.writerow([100 + 2 * k + (k % 2), name, "19100", f"{y0 + (y1 - y0) * t:.6f}",
                              f"{x0 + (x1 - x0) * t:.6f}"])
                written += 1
    lines = folder / "streets.geojson"
    lines.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name, "highway": "primary" if k % 10 == 0 else "residential"},
         "geometry": {"type": "LineString", "coordinates": coords}} for k, (name, coords) in enumerate(streets)]}))
    places = folder / "places.geojson"
    named = [("City Hall", "townhall"), ("Central Library", "library"), ("Riverside Park", "park"),
             ("Lincoln School", "school"), ("The Old Mill", "landmark")]
    places.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name, "amenity": kind},
         "geometry": {"type": "Point", "coordinates": [rng.uniform(w, e), rng.uniform(s, n_)]}}
        for name, kind in named]}))
    return addresses, lines, places


def run_engine(engine: str, n: int, runs: int) -> list[str]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from civicdesk.places.models import AddressPoint
    from civicdesk.places.search import current_index

    folder = generate.BENCH_DIR / "places"
    folder.mkdir(parents=True, exist_ok=True)
    addresses, streets, places = write_files(folder, n)
    results: list[str] = []

    def say(text: str) -> None:
        results.append(text)
        print(text, flush=True)

    started = time.perf_counter()
    call_command("addresses", "import", str(addresses), "--replace", verbosity=0, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    count = AddressPoint.objects.count()
    say(f"places import {count:,} addresses from CSV ({engine}): {seconds:.1f} s "
        f"(budget <= {IMPORT_BUDGET_S:.0f} s) {verdict(seconds <= IMPORT_BUDGET_S and count == n)}")
    call_command("addresses", "import", str(streets), "--layer", "streets", "--replace", verbosity=0,
                 stdout=io.StringIO())
    call_command("addresses", "import", str(places), "--layer", "places", "--replace", verbosity=0,
                 stdout=io.StringIO())
    started = time.perf_counter()
    current_index()
    say(f"places search index build, {count:,} addresses ({engine}): {time.perf_counter() - started:.2f} s "
        f"(once per process, after each import)")
    client = Client()

    def timed(url: str) -> tuple[float, dict]:
        begun = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - begun) * 1000
        assert response.status_code == 200, (url, response.status_code)
        return elapsed, json.loads(response.content) if "json" in response["Content-Type"] else {}

    for kind, queries in QUERIES.items():
        times, hits = [], 0
        for query in queries:
            for _ in range(3):
                timed(f"/places/search?q={query}")
            for _ in range(runs):
                ms, data = timed(f"/places/search?q={query}")
                times.append(ms)
            hits += bool(data.get("results"))
        median, worst = statistics.median(times), max(times)
        say(f"places search, {kind} queries ({engine}): median {median:.1f} ms, max {worst:.1f} ms, "
            f"{hits}/{len(queries)} found (budget <= {SEARCH_BUDGET_MS:.0f} ms) "
            f"{verdict(median <= SEARCH_BUDGET_MS and hits == len(queries))}")
    index = current_index()
    every = [q for queries in QUERIES.values() for q in queries]
    begun = time.perf_counter()
    for _ in range(runs):
        for query in every:
            index.search(query)
    per_query = (time.perf_counter() - begun) / (runs * len(every)) * 1000
    say(f"places search, the index alone ({engine}): {per_query:.2f} ms per query (the rest of a request's time "
        f"is Django, the rate-limit counter and the data-version check)")
    rng = random.Random(4)
    w, s, e, n_ = CITY
    points = [(rng.uniform(s, n_), rng.uniform(w, e)) for _ in range(runs * 5)]
    times = [timed(f"/places/nearest?lat={lat:.6f}&lon={lon:.6f}&max_m=500")[0] for lat, lon in points]
    say(f"places nearest address ({engine}): median {statistics.median(times):.1f} ms "
        f"(budget <= {NEAREST_BUDGET_MS:.0f} ms) {verdict(statistics.median(times) <= NEAREST_BUDGET_MS)}")
    for zoom, bbox in ((12, CITY), (15, (-75.01, 39.99, -74.99, 40.01))):
        url = f"/places/basemap.geojson?bbox={','.join(map(str, bbox))}&zoom={zoom}"
        client.get(url)  # fills the cache
        cold = statistics.median([_uncached(client, url) for _ in range(3)])
        warm = statistics.median([timed(url)[0] for _ in range(runs)])
        size = len(client.get(url).content)
        say(f"places base map, zoom {zoom} ({engine}): {size / 1024:.0f} KiB, {cold:.0f} ms uncached, "
            f"{warm:.1f} ms cached")
    return results


def _uncached(client: object, url: str) -> float:
    from django.core.cache import caches

    caches["local"].clear()
    begun = time.perf_counter()
    client.get(url)  # type: ignore[attr-defined]
    return (time.perf_counter() - begun) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addresses", type=int, default=100_000)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--engine", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        results = run_engine(args.engine, args.addresses, args.runs)
        return 1 if any(r.endswith("FAIL") for r in results) else 0
    (generate.BENCH_DIR / "var" / "static").mkdir(parents=True, exist_ok=True)
    status = 0
    for engine in ("sqlite", "postgres"):
        if args.only and engine != args.only:
            continue
        if engine == "sqlite":
            url = f"sqlite:///{generate.BENCH_DIR / 'places.sqlite3'}"
        else:
            url = generate.postgres_url().rsplit("/", 1)[0] + "/civicdesk_bench_places"
            if not _postgres_database_exists(url):
                generate._reset(url)
        generate.django_command(url, "migrate", "--noinput", "-v", "0", "--skip-checks")
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "civicdesk.settings",
               "CIVICDESK_VAR_DIR": str(generate.BENCH_DIR / "var"), "DEBUG": "false", "LOG_LEVEL": "WARNING",
               "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
               "PLACES_LOOKUPS_PER_MINUTE": "100000000"}  # the limiter still counts every request, it never refuses
        child = subprocess.run([sys.executable, __file__, "--engine", engine, "--addresses", str(args.addresses),
                                "--runs", str(args.runs)], env=env, cwd=ROOT)
        status = status or child.returncode
    return status


def _postgres_database_exists(url: str) -> bool:
    from urllib.parse import urlsplit

    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as pg:
        found = pg.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parts.path.lstrip("/"),)).fetchone()
        return found is not None


if __name__ == "__main__":
    sys.exit(main())
