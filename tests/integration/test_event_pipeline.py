"""publish -> SNS -> filtered SQS queue -> consumer -> effect, with moto."""
import json

import boto3

from chalicelib import events
from chalicelib.consumers import search
from chalicelib.events import Event
from chalicelib.models import SearchEntry
from chalicelib.publisher import publish
from infra.resources import MAX_RECEIVE_COUNT
from tests.helpers import create_post, event_of, found, post_json, ready_media, register


def queue_messages(url: str) -> list[dict]:
    sqs = boto3.client("sqs")
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])


def visible_count(url: str) -> int:
    attributes = boto3.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"])


def test_an_event_reaches_the_queues_that_subscribe_to_its_type_as_the_raw_envelope(aws):
    event = event_of(events.UserRegistered, {"user_id": 1})
    publish(event)
    [message] = queue_messages(aws.queue_urls["search"])
    assert Event.from_json(message["Body"]) == event


def test_an_event_no_consumer_subscribes_to_reaches_no_queue(aws):
    publish(event_of(events.NotificationsReadAll, {"user_id": 1, "up_to": 1}))
    assert queue_messages(aws.queue_urls["search"]) == []


def test_the_same_event_delivered_twice_has_one_effect(client, pump, aws):
    user = register(client, "twice")
    pump.drain()
    publish(event_of(events.UserRegistered, {"user_id": user["id"]}))
    pump.drain()
    assert found(client, "twice") == ["twice"]
    entries = list(SearchEntry.query("user#t", SearchEntry.sort.startswith("twice")))
    assert len(entries) == 1


def test_a_consumer_failure_leaves_the_message_for_retry(client, pump, aws, monkeypatch):
    calls = []

    def fails_once(event):
        calls.append(event.event_id)
        if len(calls) == 1:
            raise RuntimeError("DynamoDB hiccup")
        search.index_user(event)

    monkeypatch.setitem(search.HANDLERS, events.UserRegistered, fails_once)
    register(client, "retried")
    consumer = pump.consumers[0]
    pump.poll(consumer)
    assert found(client, "retried") == []
    assert visible_count(aws.queue_urls["search"]) == 1  # not deleted
    pump.poll(consumer)
    assert found(client, "retried") == ["retried"]
    assert calls[0] == calls[1]  # the same event, redelivered
    assert visible_count(aws.queue_urls["search"]) == 0


def test_one_bad_record_does_not_sink_its_batch_and_ends_in_the_dead_letter_queue(client, pump, aws):
    boto3.client("sqs").send_message(QueueUrl=aws.queue_urls["search"], MessageBody="not an event")
    for name in ("good1", "good2", "good3"):
        register(client, name)
    pump.drain()
    assert sorted(found(client, "good")) == ["good1", "good2", "good3"]
    dead = queue_messages(aws.dead_letter_urls["search"])
    assert [m["Body"] for m in dead] == ["not an event"]
    assert visible_count(aws.queue_urls["search"]) == 0


def test_a_failing_message_is_tried_max_receive_count_times_then_dead_lettered(client, pump, aws, monkeypatch):
    attempts = []

    def always_fails(event):
        attempts.append(event.event_id)
        raise RuntimeError("bug")

    monkeypatch.setitem(search.HANDLERS, events.UserRegistered, always_fails)
    register(client, "poison")
    pump.drain()
    assert len(attempts) == MAX_RECEIVE_COUNT
    [dead] = queue_messages(aws.dead_letter_urls["search"])
    assert json.loads(dead["Body"])["type"] == events.UserRegistered.type


def test_consumers_that_need_hashtags_photos_or_mentions_are_sent_only_events_that_carry_them(client, alice, bob,
                                                                                            aws):
    """A post without hashtags, photos or mentions reaches the feed consumer,
    not the hashtags, media or notifications consumers, which would have
    nothing to do."""
    sqs = boto3.client("sqs")

    def queued() -> dict[str, int]:
        counts = {}
        for name in ("feed", "hashtags", "media", "notifications"):
            messages = sqs.receive_message(QueueUrl=aws.queue_urls[name], MaxNumberOfMessages=10).get("Messages", [])
            counts[name] = len(messages)
            for message in messages:
                sqs.delete_message(QueueUrl=aws.queue_urls[name], ReceiptHandle=message["ReceiptHandle"])
        return counts

    create_post(client, alice.token, "Plain words")
    assert queued() == {"feed": 1, "hashtags": 0, "media": 0, "notifications": 0}
    create_post(client, alice.token, "Golden #hour")
    assert queued() == {"feed": 1, "hashtags": 1, "media": 0, "notifications": 0}
    create_post(client, alice.token, f"With @{bob.username}")
    assert queued() == {"feed": 1, "hashtags": 0, "media": 0, "notifications": 1}
    [media_id] = ready_media(alice.id, 1)
    assert post_json(client, "/api/posts", {"media_ids": [media_id]}, alice.token).status_code == 201
    assert queued() == {"feed": 1, "hashtags": 0, "media": 1, "notifications": 0}
    # What the notifications consumer takes besides post.created still reaches it, whatever it carries.
    assert post_json(client, f"/api/posts/{create_post(client, bob.token, 'x')['id']}/likes",
                     token=alice.token).status_code == 200
    assert queued()["notifications"] == 1
