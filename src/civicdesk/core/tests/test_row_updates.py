"""update_rows: each row its own values, shared ones for all, one statement, on both engines."""

import pytest
from django.utils import timezone

from civicdesk.channels.models import InboundPayload, PayloadStatus
from civicdesk.channels.payloads import store_payload
from civicdesk.core.row_updates import update_rows

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_the_shared_ones_in_one_statement(django_assert_num_queries) -> None:
    rows = [store_payload("web", b"{}", provider_message_id=f"rows-{n}")[0] for n in range(3)]
    untouched = store_payload("web", b"{}", provider_message_id="rows-other")[0]
    rows[0].status, rows[1].status, rows[2].status = (PayloadStatus.PROCESSED, PayloadStatus.DUPLICATE,
                                                      PayloadStatus.IGNORED)
    when = timezone.now()
    with django_assert_num_queries(1):
        updated = update_rows(InboundPayload, rows, ["status", "case", "message"],  # FKs all NULL: still typed
                              same={"error": "", "processed_at": when})
    assert updated == 3
    found = {row.pk: row for row in InboundPayload.objects.filter(pk__in=[row.pk for row in rows])}
    assert [found[row.pk].status for row in rows] == [PayloadStatus.PROCESSED, PayloadStatus.DUPLICATE,
                                                       PayloadStatus.IGNORED]
    assert all(found[row.pk].processed_at == when and found[row.pk].case_id is None for row in rows)
    untouched.refresh_from_db()
    assert untouched.status == PayloadStatus.RECEIVED and untouched.processed_at is None


def test_more_rows_than_one_statement_takes_go_in_batches(monkeypatch) -> None:
    monkeypatch.setattr("civicdesk.core.row_updates.BATCH", 2)
    rows = [store_payload("web", b"{}", provider_message_id=f"many-{n}")[0] for n in range(5)]
    for row in rows:
        row.error = f"note {row.pk}"
    assert update_rows(InboundPayload, rows, ["error"]) == 5
    assert {row.pk: row.error for row in InboundPayload.objects.filter(pk__in=[r.pk for r in rows])} == {
        row.pk: f"note {row.pk}" for row in rows}


def test_times_and_a_column_of_only_nulls_keep_their_types() -> None:
    rows = [store_payload("web", b"{}", provider_message_id=f"times-{n}")[0] for n in range(2)]
    first, second = timezone.now(), timezone.now() + timezone.timedelta(minutes=5)
    rows[0].processed_at, rows[1].processed_at = first, second
    assert update_rows(InboundPayload, rows, ["processed_at", "case"]) == 2
    assert [InboundPayload.objects.get(pk=row.pk).processed_at for row in rows] == [first, second]
    rows[0].processed_at = rows[1].processed_at = None
    assert update_rows(InboundPayload, rows, ["processed_at"]) == 2
    assert not InboundPayload.objects.filter(pk__in=[row.pk for row in rows], processed_at__isnull=False).exists()
