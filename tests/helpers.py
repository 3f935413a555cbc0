"""Small steps that many tests take."""
import contextlib
import io
import itertools
import json
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import NamedTuple

import botocore.client
import botocore.exceptions
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.model_instances import reset_model_data
from moto.dynamodb.models import dynamodb_backends
from moto.s3.models import s3_backends
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends

from chalicelib.events import Event, Payload
from chalicelib.ids import new_id
from chalicelib.models import Notification

NOW = "2026-11-22T00:00:00+00:00"

_counter = itertools.count(1)


def unique_name(prefix: str = "user") -> str:
    return f"{prefix}{next(_counter)}"


# --- requests -------------------------------------------------------------------

def auth_headers(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def post_json(client, path: str, body=None, token: str | None = None):
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    return client.post(path, headers=headers, body=json.dumps(body) if body is not None else b"")


def put_json(client, path: str, body, token: str | None = None):
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    return client.put(path, headers=headers, body=json.dumps(body))


def get(client, path: str, token: str | None = None):
    return client.get(path, headers=auth_headers(token))


def delete(client, path: str, token: str | None = None):
    return client.delete(path, headers=auth_headers(token))


def calling_from(monkeypatch, address: str) -> None:
    """The test client's requests come from this client address from now on
    (the sourceIp that chalice's local gateway reports, 127.0.0.1 by default)."""
    from chalice.local import LambdaEventConverter

    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def get_json(client, path: str, token: str | None = None):
    """The body of GET path, which must answer 200."""
    response = get(client, path, token)
    assert response.status_code == 200, response.json_body
    return response.json_body


def next_cursor(response) -> str | None:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return headers.get("x-next-cursor")


def cursor_pages(client, path: str, token: str | None = None) -> list[list]:
    """Every page of a list, from path (whose query sets the limit) on,
    following x-next-cursor until there is none; each page must answer 200."""
    pages, cursor = [], None
    while True:
        response = get(client, path + (f"&cursor={cursor}" if cursor else ""), token)
        assert response.status_code == 200, response.json_body
        pages.append(response.json_body)
        cursor = next_cursor(response)
        if not cursor:
            return pages


def usernames(response) -> list[str]:
    """The usernames of a 200 answer that lists users."""
    assert response.status_code == 200, response.json_body
    return [user["username"] for user in response.json_body]


def found(client, text: str) -> list[str]:
    """The usernames a user search for text finds."""
    return [user["username"] for user in get(client, f"/api/search/users?q={text}").json_body]


# A clock for the rate limits (the `clock` fixture): a multiple of every window.
RATE_LIMIT_START = 1_800_000_000


def login_attempt(client, email: str, password: str):
    return post_json(client, "/api/auth/login", {"email": email, "password": password})


# --- steps that must succeed: each asserts its status and returns the body --------

def register(client, username: str | None = None, *, email: str | None = None,
             password: str = "correct horse", full_name: str | None = None) -> dict:
    username = username or unique_name()
    response = post_json(client, "/api/auth/register", {
        "username": username,
        "email": email or f"{username}@example.com",
        "password": password,
        "full_name": full_name,
    })
    assert response.status_code == 201, response.json_body
    return response.json_body


def login(client, email: str, password: str = "correct horse") -> str:
    response = post_json(client, "/api/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.json_body
    return response.json_body["access_token"]


class Person(NamedTuple):
    """Someone using the API: their user as registration answered it, and
    their token. Unpacks as (user, token) too."""

    user: dict
    token: str

    @property
    def id(self) -> int:
        return self.user["id"]

    @property
    def username(self) -> str:
        return self.user["username"]


def register_and_login(client, username: str | None = None, **kwargs) -> Person:
    user = register(client, username, **kwargs)
    return Person(user, login(client, user["email"], kwargs.get("password", "correct horse")))


def create_post(client, token: str, content: str | None = "Golden hour", image_url: str | None = None) -> dict:
    response = post_json(client, "/api/posts", {"content": content, "image_url": image_url}, token)
    assert response.status_code == 201, response.json_body
    return response.json_body


def delete_post(client, token: str, post_id) -> None:
    response = delete(client, f"/api/posts/{post_id}", token)
    assert response.status_code == 204, response.body


def toggle_like(client, token: str, post_id) -> dict:
    response = post_json(client, f"/api/posts/{post_id}/likes", token=token)
    assert response.status_code == 200, response.json_body
    return response.json_body


def add_comment(client, token: str, post_id, content: str = "Lovely") -> dict:
    response = post_json(client, f"/api/posts/{post_id}/comments", {"content": content}, token)
    assert response.status_code == 201, response.json_body
    return response.json_body


def follow(client, token: str, user_id) -> None:
    response = post_json(client, f"/api/follow/{user_id}", None, token)
    assert response.status_code == 200, response.json_body


def unfollow(client, token: str, user_id) -> None:
    response = delete(client, f"/api/follow/{user_id}", token)
    assert response.status_code == 200, response.json_body


def create_story(client, token: str, content: str | None = None, image_url: str | None = None) -> dict:
    response = post_json(client, "/api/stories", {"content": content, "image_url": image_url}, token)
    assert response.status_code == 201, response.json_body
    return response.json_body


# --- data written directly with the models ----------------------------------------

def seed_notifications(user_id: int, count: int) -> list[int]:
    """count follow notifications for user_id, as if the consumer had made
    them; returns their ids, oldest first."""
    ids = [new_id() for _ in range(count)]
    with Notification.batch_write() as batch:
        for notification_id in ids:
            batch.save(Notification(user_id, notification_id, actor_id=user_id, type="follow",
                                    reference_id=user_id, message="someone started following you",
                                    created_at=NOW))
    return ids


def ready_media(owner_id: int, count: int) -> list[int]:
    """Ids of `count` ready, unused media of the owner's, written straight
    into the table (as if uploaded and processed; no files)."""
    from chalicelib.models import Media

    media = [Media(new_id(), owner_id=owner_id, status="ready", content_type="image/jpeg", size_bytes=1,
                   token="t", width=1080, height=810, created_at=NOW,
                   expires_at=datetime.now(timezone.utc) + timedelta(hours=24))
             for _ in range(count)]
    with Media.batch_write() as batch:
        for item in media:
            batch.save(item)
    return [item.media_id for item in media]


def of_types(published: list[Event], types) -> list[Event]:
    """The events of those types, in order (from the `published` fixture,
    which records every event)."""
    return [event for event in published if event.type in types]


# --- the mocked AWS ------------------------------------------------------------------

def empty_mocked_aws() -> None:
    """Deletes every item of every table and every message of every queue in
    the mocked AWS (what a test would otherwise get by provisioning anew)."""
    region = os.environ["AWS_DEFAULT_REGION"]
    for table in dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.values():
        table.items.clear()
    sqs = sqs_backends[DEFAULT_ACCOUNT_ID][region]
    for name in list(sqs.queues):
        sqs.purge_queue(name)
    for bucket in s3_backends[DEFAULT_ACCOUNT_ID]["aws"].buckets.values():
        bucket.keys.clear()
    ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages.clear()
    # moto also keeps every object it ever made for its /moto-api/data.json,
    # which GET /local/mail reads: without this, every earlier test's too.
    reset_model_data()


# --- watching the calls to AWS ------------------------------------------------------

@contextlib.contextmanager
def intercepting_aws_calls(intercept):
    """Every call any botocore client makes while inside goes to
    intercept(client, operation, params, call_through) instead."""
    original = botocore.client.BaseClient._make_api_call
    botocore.client.BaseClient._make_api_call = (
        lambda client, operation, params: intercept(client, operation, params, original))
    try:
        yield
    finally:
        botocore.client.BaseClient._make_api_call = original


def watching_aws_calls(service: str, record):
    """Calls record(operation, params) for each call made to service (by any
    botocore client) while inside; every call still goes through (to moto)."""
    def watch(client, operation, params, call_through):
        if client.meta.service_model.service_name == service:
            record(operation, params)
        return call_through(client, operation, params)

    return intercepting_aws_calls(watch)


# The one read every authenticated request makes (api.http.authenticated_user):
# is the token still valid for its user's current password?
TOKEN_CHECK = "GetItem"


@contextlib.contextmanager
def counting_dynamodb_calls():
    """The DynamoDB operations made while inside, in order."""
    calls = []
    with watching_aws_calls("dynamodb", lambda operation, params: calls.append(operation)):
        yield calls


def transactions_conflicting(times: int):
    """The next `times` TransactWriteItems are cancelled as DynamoDB cancels a
    transaction that another one touched at the same moment (nothing written)."""
    left = [times]

    def conflict(client, operation, params, call_through):
        if operation != "TransactWriteItems" or left[0] == 0:
            return call_through(client, operation, params)
        left[0] -= 1
        reasons = [{"Code": "TransactionConflict"}] + [{"Code": "None"}] * (len(params["TransactItems"]) - 1)
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
             "CancellationReasons": reasons}, operation)

    return intercepting_aws_calls(conflict)


def event_of(payload: type[Payload], data: dict) -> Event:
    """An event as a command would publish it, from its data as on the wire."""
    return Event(payload.from_data(data))


@contextlib.contextmanager
def recording_published_events():
    """Every event published to SNS while inside, by any command, consumer or
    test, decoded, in order."""
    seen = []

    def record(operation, params):
        if operation == "Publish":
            seen.append(Event.from_json(params["Message"]))
        elif operation == "PublishBatch":
            seen.extend(Event.from_json(entry["Message"]) for entry in params["PublishBatchRequestEntries"])

    with watching_aws_calls("sns", record):
        yield seen


def landing_after_read(monkeypatch, module, model, then, key=None) -> None:
    """Races a command: the first time `module` reads an item of `model`
    (with `key`, if given) with stored_now, `then()` runs right after the
    read, before the command's transaction; so it lands first."""
    real = module.stored_now
    landed = []

    def read_then_land(read_model, *read_key):
        item = real(read_model, *read_key)
        if read_model is model and (key is None or read_key == key) and not landed:
            landed.append(True)
            then()
        return item

    monkeypatch.setattr(module, "stored_now", read_then_land)


def holders(timeline, item_id: int) -> set[int]:
    """Whose timeline (FeedEntry, StoryFeedEntry) holds the item. A Scan:
    tests may; no request or consumer does, and no index is keyed by item."""
    return {entry.owner_id for entry in timeline.scan(timeline.item_id == item_id)}


@contextlib.contextmanager
def log_lines(logger: logging.Logger):
    """The JSON lines the logger writes while inside, decoded."""
    from chalicelib.logs import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(logger.name))
    logger.addHandler(handler)
    lines = []
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        lines.extend(json.loads(line) for line in stream.getvalue().splitlines())


# --- account deletion -------------------------------------------------------------

def delete_account(client, token: str | None, password: str | None = "correct horse"):
    """DELETE /api/users/me with the password (none: a body without it)."""
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    body = {"password": password} if password is not None else {}
    return client.delete("/api/users/me", headers=headers, body=json.dumps(body))
