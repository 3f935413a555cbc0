"""Batch writes retry what DynamoDB leaves unprocessed, with backoff, and
never drop it silently."""
import pytest
from pynamodb.exceptions import PutError

from chalicelib import batches
from chalicelib.models import FeedEntry
from tests.helpers import intercepting_aws_calls


def unprocessed_for(rounds: int):
    """DynamoDB leaving the last item of each BatchWriteItem unprocessed, `rounds` times."""
    left = [rounds]

    def partly(client, operation, params, call_through):
        if operation != "BatchWriteItem" or left[0] == 0:
            return call_through(client, operation, params)
        left[0] -= 1
        [(table, requests)] = params["RequestItems"].items()
        answer = call_through(client, operation, {**params, "RequestItems": {table: requests[:-1]}})
        return {**answer, "UnprocessedItems": {table: requests[-1:]}}

    return intercepting_aws_calls(partly)


@pytest.fixture
def waits(monkeypatch):
    slept = []
    monkeypatch.setattr(batches.time, "sleep", slept.append)
    return slept


def test_unprocessed_items_are_sent_again_after_a_growing_wait(aws, waits):
    entries = [FeedEntry.entry(1, item_id, 2) for item_id in range(1, 4)]
    with unprocessed_for(rounds=3), batches.batch_write(FeedEntry) as batch:
        for entry in entries:
            batch.save(entry)
    assert sorted(entry.item_id for entry in FeedEntry.query(1)) == [1, 2, 3]
    assert len(waits) == 3 and all(wait >= 0 for wait in waits)


def test_items_still_unprocessed_after_every_attempt_raise_instead_of_vanishing(aws, waits):
    with pytest.raises(PutError), unprocessed_for(rounds=batches.ATTEMPTS), \
            batches.batch_write(FeedEntry) as batch:
        batch.save(FeedEntry.entry(1, 1, 2))
    assert len(waits) == batches.ATTEMPTS - 1


def test_unprocessed_deletes_are_retried_too(aws, waits):
    with batches.batch_write(FeedEntry) as batch:
        batch.save(FeedEntry.entry(1, 1, 2))
    with unprocessed_for(rounds=2), batches.batch_write(FeedEntry) as batch:
        batch.delete(FeedEntry(1, 1))
    assert list(FeedEntry.query(1)) == []
