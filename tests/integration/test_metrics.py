"""Business and health metrics ride on the log lines as CloudWatch embedded
metric format: each committed event counts (EventsPublished) on its request's line, each event
a consumer handles on its line by consumer and outcome, and each outbox
relay run reports what it relayed and how old the oldest entry was."""
import pytest
from chalice.app import SQSRecord

from chalicelib import outbox
from chalicelib.api import http
from chalicelib.consumers import batch
from chalicelib.events import PostCreated
from tests.helpers import create_post, event_of, log_lines, post_json


def metrics_of(line: dict) -> dict:
    """{metric name: (value, unit, dimensions)} of one log line, as CloudWatch reads it."""
    [directive] = line["_aws"]["CloudWatchMetrics"]
    # The stage's resource prefix (Chalice's test client sets the dev stage's).
    assert directive["Namespace"].startswith("instagram-") and isinstance(line["_aws"]["Timestamp"], int)
    [dimensions] = directive["Dimensions"]
    return {metric["Name"]: (line[metric["Name"]], metric["Unit"], {name: line[name] for name in dimensions})
            for metric in directive["Metrics"]}


def test_a_created_post_counts_on_its_requests_log_line(client, alice):
    with log_lines(http.logger) as lines:
        create_post(client, alice.token)
        post_json(client, "/api/posts", {"content": ""}, alice.token)  # refused: nothing committed
    created, refused = lines
    # One metric for every type (a custom metric each would cost by the month).
    assert metrics_of(created) == {"EventsPublished": (1, "Count", {"service": "instagram-api"})}
    assert "_aws" not in refused


def test_each_handled_event_counts_by_consumer_and_outcome(client, alice, pump):
    with log_lines(batch.logger) as lines:
        create_post(client, alice.token, "#sunset")
        pump.drain()
    handled = [metrics_of(line)["EventsHandled"] for line in lines if "_aws" in line]
    consumers = {dimensions["consumer"] for _, _, dimensions in handled}
    assert {"feed", "hashtags", "search"} <= consumers
    assert {value for value, _, _ in handled} == {1}
    assert {dimensions["outcome"] for _, _, dimensions in handled} == {"done"}
    # Each handled event's line also says how long its handler took.
    assert all(line["duration_ms"] >= 0 for line in lines if line.get("outcome") == "done")


def test_a_failed_event_counts_as_failed():
    def broken_for_one(event):
        if event.payload.post_id == 1:
            raise RuntimeError("the index is down")

    records = [SQSRecord({"messageId": f"m-{post_id}", "receiptHandle": "r", "body": event_of(
        PostCreated, {"post_id": post_id, "author_id": 2}).to_json()}, None) for post_id in (1, 2)]
    with log_lines(batch.logger) as lines:
        assert batch.process_batch(records, {PostCreated: broken_for_one}, "hashtags") == {
            "batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert [metrics_of(line) for line in lines] == [
        {"EventsHandled": (1, "Count", {"consumer": "hashtags", "outcome": outcome})} for outcome in ("failed", "done")]


@pytest.fixture
def sns_down(monkeypatch):
    def refuse(event):
        raise ConnectionError("SNS is unreachable")

    monkeypatch.setattr(outbox, "publish", refuse)
    return monkeypatch


def test_the_outbox_relay_reports_the_age_of_the_oldest_entry_even_when_publishing_fails(client, alice, sns_down):
    create_post(client, alice.token)  # committed; its publish failed, so it waits in the outbox
    ten_minutes_later = outbox.now_ms() + 600_000
    sns_down.setattr(outbox, "now_ms", lambda: ten_minutes_later)
    with log_lines(outbox.logger) as lines, pytest.raises(ConnectionError):
        outbox.relay_pending()
    run = metrics_of(lines[-1])
    assert run["OutboxRelayed"] == (0, "Count", {"service": "instagram-events"})
    age, unit, _ = run["OutboxOldestAgeSeconds"]
    assert unit == "Seconds" and 600 <= age < 700


def test_an_outbox_relay_with_nothing_to_do_reports_zero(client):
    with log_lines(outbox.logger) as lines:
        assert outbox.relay_pending() == 0
    run = metrics_of(lines[-1])
    assert run["OutboxRelayed"][0] == 0 and run["OutboxOldestAgeSeconds"][0] == 0
