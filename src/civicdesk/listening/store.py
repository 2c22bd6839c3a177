"""The store's writes in bulk and in plain SQL (the same on SQLite and PostgreSQL): posts inserted once per
(platform, post id), minute counts added up, posts deleted by id or by age. No model object is built per post."""

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.db import connection

POST_COLUMNS = ("stream_id", "platform", "post_id", "author", "created_at", "ingested_at", "text", "url", "lang",
                "relevance", "category", "urgent", "sentiment", "weight", "is_echo", "fingerprint", "lat", "lon",
                "place", "place_source", "place_confidence", "cell")
ROWS_PER_STATEMENT = 500


def when(value: datetime) -> Any:
    """A datetime as the database backend stores it (text on SQLite, as Django writes it; timestamptz on
    PostgreSQL); UTC values take a short cut past Django's adapter, which costs microseconds per post."""
    if value.tzinfo is UTC and connection.vendor == "sqlite":
        return str(value.replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value(value)


class _Raw:
    """The driver's own cursor and placeholder: Django's SQLite wrapper rewrites every '%s' of a statement with a
    regular expression, which costs more than the insert itself on 500-row statements."""

    def __init__(self) -> None:
        connection.ensure_connection()
        self.mark = "?" if connection.vendor == "sqlite" else "%s"
        self.cursor = connection.connection.cursor()

    def __enter__(self) -> "_Raw":
        return self

    def __exit__(self, *exc: object) -> None:
        self.cursor.close()

    def execute(self, sql: str, params: list[Any]) -> None:
        self.cursor.execute(sql.replace("%s", self.mark) if self.mark != "%s" else sql, params)

    def fetchall(self) -> list[Any]:
        return list(self.cursor.fetchall())

    @property
    def rowcount(self) -> int:
        return int(self.cursor.rowcount)


def insert_posts(rows: Sequence[tuple[Any, ...]]) -> set[tuple[str, str]]:
    """Insert rows (POST_COLUMNS order) and answer the (platform, post id) of those that were new."""
    created: set[tuple[str, str]] = set()
    row_marks = "(" + ", ".join(["%s"] * len(POST_COLUMNS)) + ")"
    with _Raw() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start:start + ROWS_PER_STATEMENT]
            sql = (f"INSERT INTO listening_post ({', '.join(POST_COLUMNS)}) VALUES "
                   + ", ".join([row_marks] * len(chunk))
                   + " ON CONFLICT (platform, post_id) DO NOTHING RETURNING platform, post_id")
            cursor.execute(sql, [value for row in chunk for value in row])
            created.update((platform, post_id) for platform, post_id in cursor.fetchall())
    return created


def add_minute_counts(stream_id: int, counts: dict[tuple[int, str, str], list[float]]) -> None:
    """Add (minute number since the epoch, kind, key) -> [posts, weight] to the stored minute counts."""
    if not counts:
        return
    items = list(counts.items())
    with _Raw() as cursor:
        for start in range(0, len(items), ROWS_PER_STATEMENT):
            chunk = items[start:start + ROWS_PER_STATEMENT]
            sql = ("INSERT INTO listening_minutecount (stream_id, minute, kind, key, posts, weight) VALUES "
                   + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                   + " ON CONFLICT (stream_id, kind, key, minute) DO UPDATE SET"
                   " posts = listening_minutecount.posts + excluded.posts,"
                   " weight = listening_minutecount.weight + excluded.weight")
            params: list[Any] = []
            for (minute, kind, key), (posts, weight) in chunk:
                moment = when(datetime.fromtimestamp(minute * 60, UTC))
                params += [stream_id, moment, kind, key, int(posts), float(weight)]
            cursor.execute(sql, params)


def delete_posts(platform: str, post_ids: Iterable[str]) -> int:
    """Delete posts by their platform ids (the platform's delete events); answers how many rows went."""
    ids = list(dict.fromkeys(str(i) for i in post_ids))
    deleted = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), ROWS_PER_STATEMENT):
            chunk = ids[start:start + ROWS_PER_STATEMENT]
            cursor.execute("DELETE FROM listening_post WHERE platform = %s AND post_id IN ("
                           + ", ".join(["%s"] * len(chunk)) + ")", [platform, *chunk])
            deleted += max(cursor.rowcount, 0)
    return deleted
