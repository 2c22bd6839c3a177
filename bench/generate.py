"""Generate N realistic cases (contacts, identities, messages, audit) into SQLite or PostgreSQL with bulk loads.

Usage: python bench/generate.py [--cases N] [--only sqlite|postgres]
Other benches call generate(n, database_url); a database that already holds >= n cases made by this generator
for the current migrations is reused (kept under var/bench/ for SQLite, database civicdesk_bench on PostgreSQL).
"""

import argparse
import fcntl
import hashlib
import importlib.util
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
GENERATOR_VERSION = "5"
BUDGET_SECONDS = 300
DEFAULT_CASES = 1_000_000
CHUNK = 25_000
SEED = 1311
PG_BENCH_DB = os.environ.get("BENCH_PG_DATABASE", "civicdesk_bench")  # another worktree: its own
LOADED_APPS = ["agencies", "audit", "cases", "contacts"]
PUBLIC_ID_ALPHABET = "abcdefghijkmnopqrstuvwxyz23456789"
LOADED_TABLES = ["contacts_contact", "contacts_identity", "cases_case", "cases_message", "audit_auditentry",
                 "cases_casetransfer"]

sys.path.insert(0, str(ROOT / "src"))
from civicdesk.demo import data as demo  # noqa: E402  (plain data module, no Django setup needed)

# --- vocabulary: real complaint words up front, then a long tail of made-up words, Zipf-distributed -----------------
COMMON_WORDS = sorted({w.strip(".,!?").lower() for s in demo.SERVICES for _t, text in s["texts"] for w in text.split()}
                      | {"please", "again", "corner", "block", "neighbors", "children", "morning", "night", "week",
                         "weeks", "days", "dangerous", "broken", "still", "since", "months", "school", "store"})
_SYLLABLES = [c + v for c in "bdfghklmnprstvz" for v in "aeiou"] + ["ar", "en", "il", "or", "um", "ex", "quin"]


def _made_up_words(count: int, rng: random.Random) -> list[str]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


VOCABULARY = COMMON_WORDS + _made_up_words(6000, random.Random(SEED))
_CUM_WEIGHTS: list[float] = []
for _rank in range(len(VOCABULARY)):
    _CUM_WEIGHTS.append((_CUM_WEIGHTS[-1] if _CUM_WEIGHTS else 0.0) + 1.0 / (_rank + 10) ** 1.05)
# Words the search bench looks for: one in many descriptions, one in a few hundred per million.
SEARCH_WORDS = {"common": "pothole", "rare": VOCABULARY[len(COMMON_WORDS) + 4200]}

PHONE_AREA_CODES = ["215", "267", "445", "610", "484", "717", "412", "814", "570", "724"]
NOW = datetime.now(UTC).replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)  # naive UTC, as stored
SPAN_SECONDS = 730 * 86400


@dataclass
class Generated:
    database_url: str
    cases: int
    seconds: float
    cached: bool


# --- where the databases are ---------------------------------------------------------------------------------------

def sqlite_url(n: int = DEFAULT_CASES) -> str:
    return f"sqlite:///{BENCH_DIR / f'cases-{n}.sqlite3'}"


def postgres_url(n: int = DEFAULT_CASES) -> str:
    """Start the throwaway PostgreSQL server and return the URL of the bench database (not yet created)."""
    server = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], check=True, capture_output=True,
                            text=True).stdout.strip().splitlines()[-1]
    name = PG_BENCH_DB if n == DEFAULT_CASES else f"{PG_BENCH_DB}_{n}"
    return server.rsplit("/", 1)[0] + "/" + name


def fingerprint() -> str:
    """Changes when a migration of the loaded tables' apps or this generator changes: the database is rebuilt.

    Other apps' new migrations are applied to a cached database instead (see generate).
    """
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    paths = [p for app in LOADED_APPS for p in (ROOT / "src" / "civicdesk" / app / "migrations").glob("*.py")]
    for path in sorted(paths):
        digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def django_command(database_url: str, *args: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "CIVICDESK_VAR_DIR": str(BENCH_DIR / "var"),
           "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    subprocess.run([sys.executable, "-m", "civicdesk", *args], check=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


# --- row generation, column by column with numpy (values never contain tab, newline or backslash) -------------------

Columns = dict[str, list[list[Any]]]  # table -> its columns, in COLUMNS order
US = 1_000_000
HOUR_US = 3600 * US


def ts_strings(micros: Any, present: Any = None) -> list[Any]:
    """Naive UTC timestamps as Django stores them in SQLite (PostgreSQL reads the same text in a UTC session)."""
    text = [s.replace("T", " ") for s in np.datetime_as_string(micros.astype("datetime64[us]"), unit="us").tolist()]
    if present is None:
        return text
    return [s if p else None for s, p in zip(text, present.tolist(), strict=True)]


def nullable(values: Any, present: Any) -> list[Any]:
    return [v if p else None for v, p in zip(values.tolist(), present.tolist(), strict=True)]


class Rows:
    """Produces every loaded table's rows, CHUNK cases at a time, from the reference ids in the database."""

    def __init__(self, ref: dict[str, Any], n: int) -> None:
        self.ref, self.n = ref, n
        self.rng = np.random.default_rng(SEED)
        self.n_contacts = max(10, n // 4)
        self.next_id = dict(ref["max_id"])
        self.years: dict[int, int] = dict(ref["counters"])
        self.now_us = int(NOW.replace(tzinfo=UTC).timestamp()) * US
        self.start_us = self.now_us - SPAN_SECONDS * US
        channels = demo.CHANNEL_WEIGHTS
        self.channels = np.array(list(channels))
        self.channel_p = np.array(list(channels.values()), dtype=float) / sum(channels.values())
        self.tails = self._description_tails(100_000)

    def _ids(self, table: str, count: int) -> Any:
        first = self.next_id[table] + 1
        self.next_id[table] += count
        return np.arange(first, first + count)

    def _description_tails(self, count: int) -> list[str]:
        """Word runs drawn from the Zipf vocabulary; a description gets two, so word frequencies stay Zipf."""
        cum = np.array(_CUM_WEIGHTS) / _CUM_WEIGHTS[-1]
        words = np.searchsorted(cum, self.rng.random((count, 9)))
        lengths = self.rng.integers(3, 10, count)
        return [" ".join(VOCABULARY[w] for w in row[:k]) for row, k in zip(words.tolist(), lengths.tolist(),
                                                                            strict=True)]

    def chunks(self) -> Iterator[Columns]:
        yield from self.contacts()
        created = np.sort(self.rng.integers(self.start_us, self.now_us - 60 * US, self.n))
        for first in range(0, self.n, CHUNK):
            yield self.cases(created[first:first + CHUNK])

    def contacts(self) -> Iterator[Columns]:
        rng = self.rng
        for first in range(0, self.n_contacts, CHUNK):
            count = min(CHUNK, self.n_contacts - first)
            ids = self._ids("contacts_contact", count)
            at = ts_strings(self.start_us + (np.arange(first, first + count) * (SPAN_SECONDS * US // self.n_contacts)))
            names = [f"{a} {b}" for a, b in zip(rng.choice(demo.FIRST_NAMES, count).tolist(),
                                                rng.choice(demo.LAST_NAMES, count).tolist(), strict=True)]
            id_list = ids.tolist()
            owner, kinds, values, stamps = [], [], [], []
            for i, (cid, stamp) in enumerate(zip(id_list, at, strict=True)):
                owner.append(cid), kinds.append("email"), values.append(f"resident{cid}@example.com")
                stamps.append(stamp)
                k = (first + i) // 3
                if (first + i) % 3 == 0 and k < 10_000 * len(PHONE_AREA_CODES):
                    owner.append(cid), kinds.append("phone"), stamps.append(stamp)
                    values.append(f"+1{PHONE_AREA_CODES[k // 10_000]}555{k % 10_000:04d}")
            identity_ids = self._ids("contacts_identity", len(owner)).tolist()
            m = count + len(owner)
            audit = [
                self._ids("audit_auditentry", m).tolist(), at + stamps, [None] * m, ["system"] * m,
                ["contact_created"] * count + ["identity_added"] * len(owner), [None] * m, id_list + owner,
                ["{}"] * m,
                [f'{{"display_name": "{n}"}}' for n in names]
                + [f'{{"kind": "{k}", "value": "{v}"}}' for k, v in zip(kinds, values, strict=True)],
                [""] * m,
            ]
            yield {
                "contacts_contact": [id_list, ["resident"] * count, names, [""] * count, [""] * count, at,
                                     [None] * count, [""] * count],
                "contacts_identity": [identity_ids, owner, kinds, values, stamps, [""] * len(owner)],
                "audit_auditentry": audit,
            }

    def _numbers(self, created: Any) -> list[str]:
        """CD-YYYY-NNNNNN by local year (New Year falls in EST, UTC-5), continuing each year's counter."""
        years = ((created - 5 * HOUR_US).astype("datetime64[us]").astype("datetime64[Y]").astype(int) + 1970)
        sequence = np.empty(len(created), dtype=np.int64)
        for year in np.unique(years).tolist():
            where = np.nonzero(years == year)[0]
            start = self.years.get(year, 0)
            sequence[where] = np.arange(start + 1, start + 1 + len(where))
            self.years[year] = start + len(where)
        return [f"CD-{y}-{s:06d}" for y, s in zip(years.tolist(), sequence.tolist(), strict=True)]

    def _public_ids(self, count: int) -> list[str]:
        """Random 20-character public ids, as the app gives each case (bench data: numpy's generator is enough)."""
        letters = np.array(list(PUBLIC_ID_ALPHABET))[self.rng.integers(0, len(PUBLIC_ID_ALPHABET), (count, 20))]
        return ["".join(row) for row in letters.tolist()]

    def cases(self, created: Any) -> Columns:
        rng, ref, c = self.rng, self.ref, len(created)
        ids = self._ids("cases_case", c)
        numbers = self._numbers(created)
        channel = self.channels[rng.choice(len(self.channels), c, p=self.channel_p)]
        services = ref["services"]
        service = rng.integers(0, len(services), c)
        has_service = rng.random(c) < 0.95
        agency = np.where(has_service, np.array([s["agency"] for s in services])[service], ref["agencies"]["311"])
        team = np.where(has_service, np.array([s["team"] or 0 for s in services])[service], 0)
        age_days = (self.now_us - created) / (86400 * US)
        bucket = np.where(age_days < 2, 0, np.where(age_days < 30, 1, 2))
        status_index = (rng.random(c)[:, None] >= STATUS_CUTS[bucket]).sum(axis=1)
        status = np.array(STATUSES)[status_index]
        handled = status_index > 0
        first_response = np.minimum(created + (rng.uniform(0.2, 48, c) * HOUR_US).astype(np.int64), self.now_us)
        assigned = handled & (rng.random(c) < 0.65)
        agents = np.array([ref["agents"][a] for a in agency.tolist()])
        default_team = np.array([ref["teams"][a] for a in agency.tolist()])
        team = np.where(assigned & (team == 0), default_team, team)
        routed_agency, routed_team = agency.copy(), team.copy()
        transferred = handled & (rng.random(c) < 0.02)
        targets = rng.integers(0, len(ref["agency_ids"]) - 1, c)
        audit_extra: list[tuple] = []
        transfers: list[list[Any]] = [[], [], [], [], [], [], []]
        response_text = ts_strings(first_response)
        for i in np.nonzero(transferred)[0].tolist():
            choices = [a for a in ref["agency_ids"] if a != agency[i]]
            target = choices[targets[i] % len(choices)]
            reason = "Belongs to another agency."
            for column, value in zip(transfers, (self._ids("cases_casetransfer", 1)[0], reason, response_text[i],
                                                 ref["admin"], ids[i], agency[i], target), strict=True):
                column.append(int(value) if isinstance(value, np.integer) else value)
            audit_extra.append((response_text[i], ref["admin"], "", "transferred", int(ids[i]),
                                f'{{"agency": "{ref["slugs"][agency[i]]}"}}', f'{{"agency": "{ref["slugs"][target]}"}}',
                                reason))
            agency[i], team[i], assigned[i] = target, 0, False
        finished = status_index >= 4
        resolved = np.minimum(first_response + (rng.uniform(1, 480, c) * HOUR_US).astype(np.int64), self.now_us)
        closed_mask = status_index == 5
        closed = np.minimum(resolved + (rng.uniform(1, 168, c) * HOUR_US).astype(np.int64), self.now_us)
        updated = np.where(closed_mask, closed, np.where(finished, resolved, np.where(handled, first_response,
                                                                                        created)))
        contact = np.where(rng.random(c) < 0.05, 0, ref["max_id0"]["contacts_contact"] + 1
                           + (self.n_contacts * rng.random(c) ** 2).astype(np.int64))
        texts = [ref["texts"][s["code"]] for s in services]
        general = ref["texts"]["general-question"]
        picks = rng.integers(0, 6, c).tolist()
        chosen = [texts[s][p % len(texts[s])] if h else general[p % len(general)]
                  for s, h, p in zip(service.tolist(), has_service.tolist(), picks, strict=True)]
        tails = rng.integers(0, len(self.tails), (c, 2)).tolist()
        descriptions = [f"{base} {self.tails[a]} {self.tails[b]}." for (_s, base), (a, b) in zip(chosen, tails,
                                                                                              strict=True)]
        subjects = [s for s, _b in chosen]
        located = rng.random(c) < 0.9
        streets = rng.choice(demo.STREETS, c).tolist()
        addresses = [f"{n} {s}" if loc else "" for n, s, loc in zip(rng.integers(1, 2400, c).tolist(), streets,
                                                                    located.tolist(), strict=True)]
        lat = nullable(np.round(40.0 + rng.uniform(-0.05, 0.05, c), 6), located)
        lon = nullable(np.round(-75.0 + rng.uniform(-0.05, 0.05, c), 6), located)
        priority = np.array(["normal", "low", "high", "urgent"])[rng.choice(4, c, p=[0.8, 0.08, 0.1, 0.02])]
        channels, id_list, contacts = channel.tolist(), ids.tolist(), nullable(contact, contact > 0)
        created_text = ts_strings(created)
        cases = [
            id_list, numbers, channels, status.tolist(), priority.tolist(), subjects, descriptions, ["{}"] * c,
            addresses, lat, lon, ["bench-app" if ch == "open311" else "" for ch in channels], [0] * c, created_text,
            ts_strings(updated), [t if h else None for t, h in zip(response_text, handled.tolist(), strict=True)],
            ts_strings(resolved, finished), ts_strings(closed, closed_mask), agency.tolist(),
            nullable(agents, assigned), contacts, [None] * c,
            nullable(np.array([s["id"] for s in services])[service], has_service), nullable(team, team > 0),
            self._public_ids(c),
        ]
        return {"cases_case": cases, "cases_message": self._messages(cases, handled, channels, contacts, agents),
                "audit_auditentry": self._audit(cases, routed_agency, routed_team, audit_extra),
                "cases_casetransfer": transfers}

    def _messages(self, cases: list[list[Any]], handled: Any, channels: list[str], contacts: list[Any],
                  agents: Any) -> list[list[Any]]:
        c = len(channels)
        ids, numbers, subjects, descriptions = cases[0], cases[1], cases[5], cases[6]
        mids = [f"<bench.{i}@mail.example.com>" if ch == "email" else "" for i, ch in zip(ids, channels, strict=True)]
        inbound = [
            self._ids("cases_message", c).tolist(), ["in"] * c, channels, [1] * c, [0] * c, subjects, descriptions,
            [""] * c, descriptions, [m or f"bench-{i}" for m, i in zip(mids, ids, strict=True)], mids, [""] * c,
            ["received"] * c, [0] * c, [""] * c, [None] * c, cases[13], [None] * c, ids, contacts, [""] * c,
        ]
        rows = np.nonzero(handled)[0].tolist()
        replies = [self.rng.integers(0, len(demo.REPLIES), len(rows)).tolist()]
        out_channels = []
        for i in rows:
            ch = channels[i]
            if ch in ("web", "open311", "phone", "email"):
                ch = "email" if contacts[i] else "web"
            out_channels.append(ch)
        k = len(rows)
        texts = [demo.REPLIES[r] for r in replies[0]]
        outbound = [
            self._ids("cases_message", k).tolist(), ["out"] * k, out_channels, [1] * k, [0] * k,
            [f"[{numbers[i]}] {subjects[i]}" for i in rows], texts, [""] * k, texts, [""] * k,
            [f"<bench.r{ids[i]}@civicdesk.riverbend.example>" if ch == "email" else ""
             for i, ch in zip(rows, out_channels, strict=True)],
            [f"resident{contacts[i]}@example.com" if ch == "email" else ""
             for i, ch in zip(rows, out_channels, strict=True)],
            ["published" if ch == "web" else "sent" for ch in out_channels], [1] * k, [""] * k, [None] * k,
            [cases[15][i] for i in rows], [int(agents[i]) for i in rows], [ids[i] for i in rows],
            [contacts[i] for i in rows], [""] * k,
        ]
        return [a + b for a, b in zip(inbound, outbound, strict=True)]

    def _audit(self, cases: list[list[Any]], routed_agency: Any, routed_team: Any,
               extra: list[tuple]) -> list[list[Any]]:
        c, slugs = len(cases[0]), self.ref["slugs"]
        agencies = [slugs[a] for a in routed_agency.tolist()]
        teams = ["null" if t == 0 else str(t) for t in routed_team.tolist()]
        e = len(extra)
        m = 2 * c + e
        return [
            self._ids("audit_auditentry", m).tolist(), cases[13] + cases[13] + [x[0] for x in extra],
            [None] * (2 * c) + [x[1] for x in extra], cases[2] + ["router"] * c + [x[2] for x in extra],
            ["case_created"] * c + ["routed"] * c + [x[3] for x in extra], cases[0] + cases[0] + [x[4] for x in extra],
            [None] * m, ["{}"] * (2 * c) + [x[5] for x in extra],
            [f'{{"number": "{n}", "agency": "{a}", "channel": "{ch}"}}'
             for n, a, ch in zip(cases[1], agencies, cases[2], strict=True)]
            + [f'{{"agency": "{a}", "team": {t}}}' for a, t in zip(agencies, teams, strict=True)]
            + [x[6] for x in extra],
            [""] * c + ["Routed by service"] * c + [x[7] for x in extra],
        ]


STATUSES = ["new", "open", "in_progress", "waiting", "resolved", "closed"]
# Cumulative thresholds per age bucket (under 2 days, under 30 days, older): a uniform draw >= k thresholds
# picks STATUSES[k]. Old cases are mostly closed; a tail stays open.
STATUS_CUTS = np.array([[0.45, 0.75, 0.95, 1.01, 1.01], [0.05, 0.25, 0.45, 0.55, 0.80], [0.003, 0.02, 0.035, 0.04,
                                                                                          0.12]])


# --- the two loaders -------------------------------------------------------------------------------------------------

COLUMNS = {
    "contacts_contact": "id, kind, display_name, organisation, notes, created_at, merged_into_id, language",
    "contacts_identity": "id, contact_id, kind, value, created_at, display",
    "cases_case": "id, number, channel, status, priority, subject, description, attributes, address, lat, lon, "
                  "source_app, supporter_count, created_at, updated_at, first_response_at, resolved_at, closed_at, "
                  "agency_id, assignee_id, contact_id, merged_into_id, service_id, team_id, public_id",
    "cases_message": "id, direction, channel, is_public, is_automatic, subject, body_text, body_html, visible_text, "
                     "provider_message_id, email_message_id, recipient, delivery_status, attempts, last_error, "
                     "next_attempt_at, created_at, author_id, case_id, contact_id, content_hash",
    "audit_auditentry": 'id, "at", actor_id, actor_label, action, case_id, contact_id, "before", "after", reason',
    "cases_casetransfer": 'id, reason, "at", by_id, case_id, from_agency_id, to_agency_id',
}


def reference_ids(cursor: Any) -> dict[str, Any]:
    """Agencies, services, teams and agents the seed-demo command created, by id."""
    agencies = dict(cursor.execute("SELECT slug, id FROM agencies_agency").fetchall())
    teams: dict[int, int] = {}
    for agency_id, team_id in cursor.execute("SELECT agency_id, min(id) FROM agencies_team GROUP BY agency_id"):
        teams[agency_id] = team_id
    services = [{"id": sid, "code": code, "agency": aid, "team": tid} for sid, code, aid, tid in cursor.execute(
        "SELECT id, code, agency_id, default_team_id FROM agencies_service ORDER BY id").fetchall()]
    users = dict(cursor.execute("SELECT username, id FROM auth_user").fetchall())
    agents: dict[int, int] = {}
    for username, _f, _l, _role, slugs, _teams in demo.STAFF:
        for slug in slugs:
            agents[agencies[slug]] = users[username]  # the last listed (an agent) wins
    max_id = {t: cursor.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0] for t in LOADED_TABLES}
    return {"agencies": agencies, "slugs": {v: k for k, v in agencies.items()}, "agency_ids": sorted(agencies.values()),
            "teams": teams, "services": services,
            "agents": agents, "admin": users["admin"], "texts": {s["code"]: s["texts"] for s in demo.SERVICES},
            "counters": dict(cursor.execute("SELECT year, last FROM cases_casecounter").fetchall()),
            "max_id": dict(max_id), "max_id0": dict(max_id)}


def load_sqlite(path: Path, n: int) -> None:
    """executemany in one transaction, no journal and synchronous=OFF; indexes and triggers rebuilt after the load.

    A crash mid-load leaves a broken file, but it carries no bench_meta row yet, so the next run rebuilds it.
    """
    con = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "foreign_keys=OFF", "cache_size=-524288",
                   "temp_store=MEMORY"):
        con.execute(f"PRAGMA {pragma}")
    ref = reference_ids(con)
    tables = ", ".join(f"'{t}'" for t in LOADED_TABLES)
    saved = con.execute(f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
                        f"AND sql IS NOT NULL AND tbl_name IN ({tables})").fetchall()
    con.execute("BEGIN")
    for kind, name, _sql in saved:
        con.execute(f'DROP {kind.upper()} "{name}"')
    rows = Rows(ref, n)
    for chunk in rows.chunks():
        for table, columns in chunk.items():
            if columns[0]:
                marks = ", ".join("?" * len(columns))
                con.executemany(f"INSERT INTO {table} ({COLUMNS[table]}) VALUES ({marks})", zip(*columns, strict=True))
    for year, last in rows.years.items():
        con.execute("INSERT INTO cases_casecounter (year, last) VALUES (?, ?) "
                    "ON CONFLICT (year) DO UPDATE SET last = excluded.last", (year, last))
    for kind, _name, sql in sorted(saved, key=lambda item: item[0] == "trigger"):
        if kind == "index":
            con.execute(sql)
    _fill_sqlite_search(con)
    for kind, _name, sql in saved:
        if kind == "trigger":
            con.execute(sql)
    con.execute("COMMIT")
    # No ANALYZE: the application never runs it, and with sqlite_stat1 present SQLite judges the all-NULL
    # merged_into index useless and scans the table for a case's merged duplicates.
    con.execute("PRAGMA journal_mode=WAL")  # what the application uses
    con.close()


def _fill_sqlite_search(con: sqlite3.Connection) -> None:
    """Build every case's search document (cases migration 0013) with the application's own statements."""
    from civicdesk.inbox.search_index import sqlite_refill

    for sql in sqlite_refill():
        con.execute(sql)


def load_postgres(url: str, n: int) -> None:
    """COPY per table and chunk; non-constraint indexes are dropped during the load and rebuilt after."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("SET maintenance_work_mem = '512MB'")
        con.execute("SET synchronous_commit = off")
        con.execute("SET TIME ZONE 'UTC'")  # the generated timestamps are UTC without an offset
        ref = reference_ids(con)
        indexes = con.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.indexname))::regclass)", (LOADED_TABLES,)).fetchall()
        with con.transaction():
            # Foreign keys are consistent by construction, and the search triggers would rebuild a case's document
            # row by row: replica mode skips both; the documents are built in one statement after the load.
            con.execute("SET LOCAL session_replication_role = replica")
            for name, _sql in indexes:
                con.execute(f'DROP INDEX "{name}"')
            rows = Rows(ref, n)
            with con.cursor() as cur:
                for chunk in rows.chunks():
                    for table, columns in chunk.items():
                        if columns[0]:
                            with cur.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN") as copy:
                                copy.write(_tsv(columns))
            for year, last in rows.years.items():
                con.execute("INSERT INTO cases_casecounter (year, last) VALUES (%s, %s) "
                            "ON CONFLICT (year) DO UPDATE SET last = excluded.last", (year, last))
        for _name, sql in indexes:
            con.execute(sql)
        from civicdesk.inbox.search_index import postgres_refill

        for sql in postgres_refill():
            con.execute(sql)
        for table in LOADED_TABLES:
            con.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {table}))")
        con.execute("VACUUM ANALYZE")


def _tsv(columns: list[list[Any]]) -> str:
    """COPY text format; generated values contain no tab, newline or backslash, so only NULL needs marking."""
    text = [[r"\N" if v is None else str(v) for v in col] if None in col else
            (col if isinstance(col[0], str) else [str(v) for v in col]) for col in columns]
    return "".join(line + "\n" for line in map("\t".join, zip(*text, strict=True)))


# --- cache bookkeeping and the entry point ---------------------------------------------------------------------------

def _meta(url: str) -> dict[str, str]:
    """What the generator wrote into the database last time, or {} when there is no usable database."""
    try:
        if url.startswith("sqlite"):
            path = Path(urlsplit(url).path)
            if not path.exists():
                return {}
            with sqlite3.connect(path) as con:
                return dict(con.execute("SELECT key, value FROM bench_meta").fetchall())
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as pg:
            return dict(pg.execute("SELECT key, value FROM bench_meta").fetchall())
    except Exception:  # no file, no database or no table: build it
        return {}


def _write_meta(url: str, meta: dict[str, str]) -> None:
    create = "CREATE TABLE IF NOT EXISTS bench_meta (key VARCHAR(40) PRIMARY KEY, value TEXT)"
    if url.startswith("sqlite"):
        with sqlite3.connect(Path(urlsplit(url).path)) as con:
            con.execute(create)
            con.executemany("INSERT OR REPLACE INTO bench_meta VALUES (?, ?)", meta.items())
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute(create)
        for key, value in meta.items():
            pg.execute("INSERT INTO bench_meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                       (key, value))


def _reset(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(urlsplit(url).path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as pg:
        pg.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def _exclusive(database_url: str) -> Iterator[None]:
    """One builder per database at a time: benches started together wait, then find the cache."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    lock = BENCH_DIR / f".lock-{hashlib.sha256(database_url.encode()).hexdigest()[:12]}"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def generate(n: int, database_url: str) -> Generated:
    """Make sure database_url holds >= n generated cases (migrated, seeded, indexed); build it when it does not."""
    with _exclusive(database_url):
        return _generate(n, database_url)


def _generate(n: int, database_url: str) -> Generated:
    meta = _meta(database_url)
    if meta.get("fingerprint") == fingerprint() and int(meta.get("cases", 0)) >= n:
        django_command(database_url, "migrate", "--noinput", "-v", "0", "--skip-checks")  # other apps' new tables
        return Generated(database_url, int(meta["cases"]), float(meta["seconds"]), cached=True)
    started = time.perf_counter()
    _reset(database_url)
    django_command(database_url, "migrate", "--noinput", "-v", "0", "--skip-checks")
    django_command(database_url, "seed-demo", "--yes-demo-passwords", "--cases", "0")
    if database_url.startswith("sqlite"):
        load_sqlite(Path(urlsplit(database_url).path), n)
    else:
        load_postgres(database_url, n)
    if importlib.util.find_spec("civicdesk.gis.management.commands.gis_index_cases"):
        django_command(database_url, "gis-index-cases", "--skip-checks")  # the copy gis hooks keep of located cases
    seconds = time.perf_counter() - started
    _write_meta(database_url, {"fingerprint": fingerprint(), "cases": str(n), "seconds": f"{seconds:.1f}"})
    return Generated(database_url, n, seconds, cached=False)


def report(engine: str, result: Generated) -> str:
    size = f"{result.cases // 1_000_000}M" if result.cases % 1_000_000 == 0 else f"{result.cases:,}"
    verdict = "PASS" if result.seconds <= BUDGET_SECONDS else "FAIL"
    note = " [cached database; figure from its build]" if result.cached else ""
    return f"generate {size} cases ({engine}): {result.seconds:.1f} s (budget <= {BUDGET_SECONDS} s) {verdict}{note}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--rebuild", action="store_true", help="Ignore a cached database.")
    args = parser.parse_args()
    failed = False
    for engine in ("sqlite", "postgres"):
        if args.only and engine != args.only:
            continue
        url = sqlite_url(args.cases) if engine == "sqlite" else postgres_url(args.cases)
        if args.rebuild:
            _reset(url)
        line = report(engine, generate(args.cases, url))
        failed = failed or line.split(" [")[0].endswith("FAIL")
        print(line, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
