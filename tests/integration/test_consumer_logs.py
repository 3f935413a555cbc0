"""Operators follow one request through its events: every consumer log line
for an event carries the API request's id (the event's correlation id, also
on the events it leads to) and the Lambda invocation's id. A batch that
failed whole raises, so the function's Errors metric sees it; an event of a
version the consumers cannot read is refused in so many words."""
import json

import boto3
import pytest

from chalicelib.api import http
from chalicelib.consumers import batch
from chalicelib.events import UserRegistered
from tests.helpers import create_post, event_of, follow, log_lines, register_and_login


def test_every_consumer_line_of_a_requests_events_carries_its_id_even_after_a_continuation(client, pump,
                                                                                          monkeypatch):
    monkeypatch.setenv("FEED_FANOUT_CHUNK", "1")  # two followers: the fan-out continues once
    alice = register_and_login(client)
    for _ in range(2):
        follow(client, register_and_login(client).token, alice.id)
    pump.drain()
    with log_lines(http.logger) as requests, log_lines(batch.logger) as handled:
        create_post(client, alice.token, "#sun")
        pump.drain()
    [request] = requests
    assert request["request_id"]
    lines = [line for line in handled if "consumer" in line]
    assert {(line["consumer"], line["type"]) for line in lines} >= {
        ("feed", "post.created"), ("feed", "feed.fanout_continued"), ("hashtags", "post.created")}
    assert {line["correlation_id"] for line in lines} == {request["request_id"]}
    assert all(line["aws_request_id"] for line in lines if "message_id" in line)


def _records(*bodies: str) -> list:
    from chalice.app import SQSRecord

    return [SQSRecord({"messageId": f"m-{number}", "receiptHandle": "r", "body": body}, None)
            for number, body in enumerate(bodies)]


def test_a_batch_whose_every_record_failed_raises_and_a_partial_one_reports_its_failures(aws):
    def fails(event):
        raise RuntimeError("the index is down")

    good = event_of(UserRegistered, {"user_id": 1}).to_json()
    with pytest.raises(batch.BatchFailed, match="all 2 records"):
        batch.process_batch(_records("not an event", good), {UserRegistered: fails}, "search")
    assert batch.process_batch(_records("not an event", good), {UserRegistered: lambda event: None}, "search") == {
        "batchItemFailures": [{"itemIdentifier": "m-0"}]}


def test_an_event_of_an_unknown_version_is_refused_with_a_clear_line_then_dead_lettered(aws, pump):
    wire = json.loads(event_of(UserRegistered, {"user_id": 1}).to_json())
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=aws.queue_urls["search"], MessageBody=json.dumps({**wire, "version": 2}))
    with log_lines(batch.logger) as lines:
        pump.drain()
    refusals = [line for line in lines if line.get("outcome") == "refused"]
    assert len(refusals) == batch.MAX_RECEIVE_COUNT
    assert "user.registered version 2" in refusals[0]["message"]
    assert "dead-lettered" in refusals[0]["message"]
    [dead] = sqs.receive_message(QueueUrl=aws.dead_letter_urls["search"]).get("Messages", [])
    assert json.loads(dead["Body"])["version"] == 2
