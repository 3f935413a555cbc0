"""Data export: POST /api/users/me/export starts one (202, pending), the
exports consumer writes a ZIP to the media bucket, GET shows it ready with a
link that needs no credentials, and the mail consumer mails that link."""
import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import requests

from chalicelib import clock, media_files, rate_limits
from chalicelib import mail as mailer
from chalicelib.consumers import exports as exports_consumer
from chalicelib.consumers.batch import MAX_RECEIVE_COUNT
from chalicelib.models import Export
from infra import dead_letters
from tests.helpers import (
    add_comment,
    create_post,
    event_of,
    follow,
    get,
    get_json,
    post_json,
    ready_media,
    register_and_login,
    toggle_like,
)

EXPORT = "/api/users/me/export"


@pytest.fixture
def client(local_client):
    return local_client


def start(client, token):
    return post_json(client, EXPORT, None, token)


def archive_at(url: str) -> zipfile.ZipFile:
    response = requests.get(url, timeout=30)  # no credentials; moto answers it in-process
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_no_export_yet_is_404(client, aws):
    _, token = register_and_login(client, "alice")
    response = get(client, EXPORT, token)
    assert response.status_code == 404
    assert response.json_body == {"detail": "No export yet"}


def test_an_export_is_pending_then_ready_with_a_link_to_the_whole_archive(client, pump):
    alice, alice_token = register_and_login(client, "alice")
    bob, bob_token = register_and_login(client, "bob")
    [photo] = ready_media(alice["id"], 1)
    media_files.write_rendition(photo, "t", "large", b"large jpeg bytes", "image/jpeg")
    post = post_json(client, "/api/posts", {"content": "mine #x", "media_ids": [photo]}, alice_token).json_body
    add_comment(client, alice_token, post["id"], "my own comment")
    theirs = create_post(client, bob_token, "theirs")
    toggle_like(client, alice_token, theirs["id"])
    follow(client, alice_token, bob["id"])
    post_json(client, "/api/messages", {"receiver_id": bob["id"], "content": "hi bob"}, alice_token)

    response = start(client, alice_token)
    assert response.status_code == 202
    body = response.json_body
    assert body == {"status": "pending", "requested_at": body["requested_at"], "url": None, "expires_at": None}
    assert get_json(client, EXPORT, alice_token)["status"] == "pending"

    pump.drain()
    ready = get_json(client, EXPORT, alice_token)
    assert ready["status"] == "ready"
    assert ready["requested_at"] == body["requested_at"]
    archive = archive_at(ready["url"])
    names = set(archive.namelist())
    assert {f"{part}.json" for part in ("profile", "posts", "comments", "likes", "saves", "following", "followers",
                                       "blocks", "stories", "messages")} <= names
    profile = json.loads(archive.read("profile.json"))
    assert profile["username"] == "alice" and "password_hash" not in profile
    assert [p["content"] for p in json.loads(archive.read("posts.json"))] == ["mine #x"]
    assert [c["content"] for c in json.loads(archive.read("comments.json"))] == ["my own comment"]
    assert [like["post_id"] for like in json.loads(archive.read("likes.json"))] == [theirs["id"]]
    assert [f["followee_id"] for f in json.loads(archive.read("following.json"))] == [bob["id"]]
    assert [m["content"] for m in json.loads(archive.read("messages.json"))] == ["hi bob"]
    assert archive.read(f"photos/{photo}-t.jpg") == b"large jpeg bytes"


def test_the_ready_export_is_mailed_with_a_link_to_the_settings_that_show_it(client, pump):
    _, token = register_and_login(client, "alice")
    start(client, token)
    pump.drain()
    [mail] = [m for m in get_json(client, "/local/mail?to=alice@example.com")
              if m["subject"] == "Your data export is ready"]
    ready = get_json(client, EXPORT, token)
    # The page, not a presigned URL: that would die with the credentials that
    # signed it; the page's link is signed afresh each time it is shown.
    assert re.search(r"(http\S+)", mail["text"]).group(1) == mailer.link("edit")
    assert "X-Amz-Signature" not in mail["text"]
    assert f"available until {ready['expires_at']}" in mail["text"]
    assert "profile.json" in archive_at(ready["url"]).namelist()


def test_an_export_that_fails_every_try_is_failed_and_parked_and_a_new_one_can_start(client, pump, monkeypatch):
    _, token = register_and_login(client, "alice")
    tries = []

    def storage_down(key, data):
        tries.append(key)
        raise RuntimeError("S3 is down")

    with monkeypatch.context() as patch:
        patch.setattr(media_files, "write_export", storage_down)
        start(client, token)
        pump.drain()
    assert len(tries) == MAX_RECEIVE_COUNT
    assert get_json(client, EXPORT, token)["status"] == "failed"
    assert dead_letters.counts()["exports"] == 1

    again = start(client, token).json_body
    assert again["status"] == "pending"
    pump.drain()
    assert get_json(client, EXPORT, token)["status"] == "ready"


def test_while_one_is_pending_the_same_one_is_answered(client, aws):
    _, token = register_and_login(client, "alice")
    first = start(client, token).json_body
    again = start(client, token)
    assert again.status_code == 202
    assert again.json_body == first


def test_exports_are_rate_limited(client, pump, monkeypatch):
    monkeypatch.setattr(rate_limits, "_now", lambda: 1_800_000_000.0)
    monkeypatch.setenv("EXPORTS_PER_DAY", "1")
    _, token = register_and_login(client, "alice")
    assert start(client, token).status_code == 202
    pump.drain()
    response = start(client, token)
    assert response.status_code == 429
    assert "retry-after" in {k.lower() for k in response.headers}


def test_the_link_ends_after_24_hours(client, pump, monkeypatch):
    _, token = register_and_login(client, "alice")
    start(client, token)
    pump.drain()
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(hours=24, seconds=1))
    assert get_json(client, EXPORT, token)["url"] is None


def test_a_replayed_request_writes_one_archive(client, aws):
    user, token = register_and_login(client, "alice")
    start(client, token)
    export_id = _newest(user["id"])
    event = event_of(exports_consumer.ExportRequested, {"user_id": user["id"], "export_id": export_id})
    exports_consumer.write_export(event)
    key = Export.get(user["id"], export_id).object_key
    exports_consumer.write_export(event)
    assert Export.get(user["id"], export_id).object_key == key


def _newest(user_id: int) -> int:
    return next(iter(Export.query(user_id, scan_index_forward=False, limit=1))).export_id


def test_export_needs_a_token(client, aws):
    assert post_json(client, EXPORT).status_code == 401
    assert get(client, EXPORT).status_code == 401


def test_round_trips_as_docs_data_model_says(client, aws, dynamodb_calls):
    _, token = register_and_login(client, "alice")
    dynamodb_calls.clear()
    start(client, token)
    # the token check, the write limit, the latest export, the export limit, the transaction, the outbox entry
    assert list(dynamodb_calls) == ["GetItem", "UpdateItem", "Query", "UpdateItem", "TransactWriteItems", "DeleteItem"]
    dynamodb_calls.clear()
    get(client, EXPORT, token)
    assert list(dynamodb_calls) == ["GetItem", "Query"]
