"""Each consumer's IAM policy grants exactly the tables its code touches
(infra/policies.py makes it from the consumer's declaration in
chalicelib/consumers/__init__.py). A journey through every consumer's
handlers records which tables each one reaches, and how: a table touched
but not declared would be AccessDenied on AWS (moto checks no policy), and
a table declared but never touched is a grant to take away."""
import io
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from PIL import Image

from chalicelib import realtime
from chalicelib.config import media_bucket, resource_name
from chalicelib.consumers import BY_NAME, CONSUMERS, batch
from chalicelib.consumers.batch import READ, WRITE
from chalicelib.ids import new_id
from chalicelib.models import FeedEntry, LargeFollow, StoryFeedEntry, User
from infra import policies
from tests.helpers import (
    add_comment,
    create_post,
    create_story,
    delete,
    delete_account,
    follow,
    intercepting_aws_calls,
    post_json,
    put_json,
    register_and_login,
    toggle_like,
    unfollow,
)

_TRANSACTION_ITEMS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                      "ConditionCheck": "ConditionCheckItem"}
_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


def tables_and_actions(operation: str, params: dict) -> list[tuple[str, str]]:
    """The (table, IAM action) pairs one DynamoDB call needs."""
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(table, operation) for table in params["RequestItems"]]
    if operation == "TransactWriteItems":
        return [(body["TableName"], _TRANSACTION_ITEMS[kind]) for item in params["TransactItems"]
                for kind, body in item.items()]
    if operation == "TransactGetItems":
        return [(item["Get"]["TableName"], "GetItem") for item in params["TransactItems"]]
    return [(params["TableName"], operation)]


@pytest.fixture
def touched(monkeypatch):
    """consumer name -> table's logical name -> the actions its code used."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    running: list[str] = []
    process_batch = batch.process_batch

    def watched_batch(records, handlers, consumer, *args, **kwargs):
        running.append(consumer)
        try:
            return process_batch(records, handlers, consumer, *args, **kwargs)
        finally:
            running.pop()

    def watch(client, operation, params, call_through):
        if running and client.meta.service_model.service_name == "dynamodb":
            for table, action in tables_and_actions(operation, params):
                seen[running[-1]][table.removeprefix(resource_name(""))].add(action)
        return call_through(client, operation, params)

    monkeypatch.setattr(batch, "process_batch", watched_batch)
    with intercepting_aws_calls(watch):
        yield seen


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def _photo(client, person, pump) -> int:
    media = post_json(client, "/api/media", {"content_type": "image/jpeg", "size_bytes": 10_000}, person.token)
    assert media.status_code == 201, media.json_body
    boto3.client("s3").put_object(Bucket=media_bucket(), Key=media.json_body["upload"]["fields"]["key"],
                                  Body=_jpeg())
    pump.drain()
    return media.json_body["id"]


def journey(client, pump, monkeypatch) -> None:
    """Something for every handler of every consumer to do."""
    monkeypatch.setenv("FEED_LARGE_ACCOUNT", "2")
    monkeypatch.setenv("FEED_FANOUT_CHUNK", "1")
    alice, bob, carol, dave = (register_and_login(client) for _ in range(4))
    # Alice is online on one connection, and API Gateway says another of hers is gone.
    monkeypatch.setattr(realtime, "send", lambda connection_id, data: connection_id == "open")
    for connection_id in ("open", "gone"):
        realtime.connected(alice.id, connection_id)
    put_json(client, "/api/users/me", {"full_name": "Alice Liddell"}, alice.token)
    follow(client, bob.token, alice.id)
    story = create_story(client, alice.token, "Today")
    post = post_json(client, "/api/posts", {"content": f"#sun with @{bob.username}",
                                            "media_ids": [_photo(client, alice, pump)]}, alice.token).json_body
    toggle_like(client, bob.token, post["id"])
    pump.drain()
    # An account from before the read-all mark moved onto the user item.
    User(alice.id).update(actions=[User.notifications_read_up_to.remove()])
    toggle_like(client, bob.token, post["id"])
    comment = add_comment(client, bob.token, post["id"])
    post_json(client, f"/api/posts/{post['id']}/comments", {"content": "Yes", "parent_id": comment["id"]},
              bob.token)
    post_json(client, f"/api/posts/{post['id']}/save", token=bob.token)
    pump.drain()
    # alice grows past the large-account line, and back below it.
    follow(client, carol.token, alice.id)
    follow(client, dave.token, alice.id)
    pump.drain()
    unfollow(client, carol.token, alice.id)
    unfollow(client, dave.token, alice.id)
    pump.drain()
    # A private account's pending requests, approved when it goes public.
    put_json(client, "/api/users/me", {"is_private": True}, carol.token)
    follow(client, dave.token, carol.id)
    post_json(client, f"/api/follow/requests/{dave.id}/approve", token=carol.token)
    follow(client, bob.token, carol.id)
    put_json(client, "/api/users/me", {"is_private": False, "profile_media_id": _photo(client, carol, pump)},
             carol.token)
    pump.drain()
    put_json(client, "/api/users/me", {"profile_media_id": _photo(client, carol, pump)}, carol.token)
    post_json(client, f"/api/blocks/{bob.id}", token=dave.token)
    delete(client, f"/api/posts/comments/{comment['id']}", bob.token)
    delete(client, f"/api/posts/{post['id']}", alice.token)
    delete(client, f"/api/stories/{story['id']}", alice.token)
    create_post(client, alice.token, "after")
    pump.drain()
    # Mail: a reset link (its account found by address) and a ready export's link.
    post_json(client, "/api/auth/password-reset", {"email": alice.user["email"]})
    post_json(client, "/api/messages", {"receiver_id": carol.id, "content": "Hi"}, alice.token)
    post_json(client, "/api/messages", {"receiver_id": alice.id, "content": "Hi!"}, carol.token)
    post_json(client, "/api/users/me/export", token=alice.token)
    pump.drain()
    erase(client, pump, alice, carol, dave)


def erase(client, pump, alice, carol, dave) -> None:
    """alice leaves a trace in every table her erasure reaches, then her
    account is deleted."""
    erin = register_and_login(client)
    put_json(client, "/api/users/me", {"is_private": True}, erin.token)
    follow(client, alice.token, erin.id)  # a pending request
    carols = create_post(client, carol.token, "Carol's")
    toggle_like(client, alice.token, carols["id"])
    post_json(client, f"/api/posts/{carols['id']}/save", token=alice.token)
    add_comment(client, alice.token, carols["id"])
    post_json(client, f"/api/blocks/{dave.id}", token=alice.token)
    create_story(client, alice.token, "Again")
    post_json(client, f"/api/messages/{carol.id}/read", token=alice.token)
    # What the feed consumer would have left in her timelines and large follows.
    FeedEntry.entry(alice.id, carols["id"], carol.id).save()
    an_hour = datetime.now(timezone.utc) + timedelta(hours=1)
    StoryFeedEntry.entry(alice.id, new_id(), carol.id, expires_at=an_hour).save()
    LargeFollow(alice.id, carol.id).save()
    pump.drain()
    assert delete_account(client, alice.token).status_code == 204
    pump.drain()


def test_each_consumer_declares_exactly_the_tables_its_code_touches_and_how(client, pump, monkeypatch, touched):
    journey(client, pump, monkeypatch)
    for consumer in CONSUMERS:
        used = touched[consumer.name]
        assert set(used) == set(consumer.tables), consumer.name
        for table, actions in used.items():
            granted = {action.removeprefix("dynamodb:") for action in policies.ACCESS[consumer.tables[table]]}
            assert actions <= granted, (consumer.name, table, actions - granted)
            if consumer.tables[table] == WRITE:
                assert actions & _WRITES, f"{consumer.name} only reads {table}: declare it READ"


def test_the_upload_processor_reaches_only_media_and_the_outbox():
    assert BY_NAME["uploads"].tables == {"media": WRITE, "outbox": WRITE}
    statements = policies.policy("upload_processor", "prod")["Statement"]
    tables = [arn for statement in statements if statement["Action"][0].startswith("dynamodb:")
              for arn in statement["Resource"]]
    assert tables == [f"arn:aws:dynamodb:*:*:table/instagram-prod-{name}" for name in ("media", "outbox")]


def test_a_consumer_that_only_reads_a_table_may_not_write_it():
    for consumer in CONSUMERS:
        for statement in policies.policy(consumer.function, "prod")["Statement"]:
            if statement["Sid"] == "ReadTables":
                assert not set(statement["Action"]) & {f"dynamodb:{action}" for action in _WRITES}
    assert set(policies.ACCESS) == {READ, WRITE}
