"""The erasure of a deleted account (chalicelib/consumers/erasure.py): once
user.deleted is handled, no table holds anything of the account but its
tombstone and the messages it sent (kept on the other side, docs/accounts.md);
others' counters are right; a replay has one effect; a failing chunk is
retried and dead-lettered; a large account goes in bounded chunks."""
import boto3
import pytest

from chalicelib import events, media_files, realtime
from chalicelib.config import media_bucket
from chalicelib.consumers import erasure
from chalicelib.models import (
    ALL_MODELS,
    Comment,
    Conversation,
    Follow,
    Hashtag,
    HashtagPost,
    LargeFollow,
    Like,
    Media,
    Message,
    Notification,
    Post,
    RateLimit,
    ReadMark,
    User,
    conversation_key,
)
from chalicelib.models.notifications import NotificationKey
from chalicelib.publisher import publish
from infra import dead_letters
from tests.helpers import (
    add_comment,
    counting_dynamodb_calls,
    create_post,
    create_story,
    delete_account,
    follow,
    found,
    get_json,
    intercepting_aws_calls,
    of_types,
    post_json,
    put_json,
    ready_media,
    register,
    register_and_login,
    toggle_like,
)

# What the erasure keeps, by design: the tombstone (counters that late events
# still add to land there), the messages it exchanged with others and the
# others' side of those conversations (shown with a deleted account as the
# partner), and rate-limit windows, which TTL removes within the hour.
KEPT = {User, Message, RateLimit}


def traces_of(user_id: int) -> list:
    """Every item of every table that names the account, by any attribute:
    a Scan, which tests may do (no product code does)."""
    mark = str(user_id)
    left = []
    for model in ALL_MODELS + (NotificationKey,):
        if model in KEPT:
            continue
        for item in model.scan():
            values = item.attribute_values.values()
            if model is Conversation and item.user_id != user_id:
                continue  # the other person's side of a conversation stays
            if model is ReadMark and item.user_id != user_id:
                continue  # the other person's read mark of its messages, as the thread stays
            if any(value == user_id or (isinstance(value, str) and mark in value) for value in values):
                left.append(item)
    return left


def photos_of(owner_id: int, count: int) -> list[int]:
    """Ready media of the owner's, with their files in the bucket."""
    media_ids = ready_media(owner_id, count)
    for media_id in media_ids:
        for rendition in media_files.RENDITIONS:
            key = media_files.rendition_key(media_id, "t", rendition)
            boto3.client("s3").put_object(Bucket=media_bucket(), Key=key, Body=b"jpeg")
    return media_ids


def a_bit_of_everything(client, pump, monkeypatch):
    """dora has posts with photos and hashtags, comments and replies on
    others' posts, likes, saves, follows both ways, a pending request both
    ways, blocks both ways, a story, messages both ways, notifications both
    ways (one read and its cause undone since), a profile photo, an export,
    mailed tokens, a live connection, a large account followed; and is
    searchable."""
    dora = register_and_login(client, "dora", full_name="Dora Explorer")
    alice, bob, carol, erin, frank, gina = (register_and_login(client) for _ in range(6))
    put_json(client, "/api/users/me", {"is_private": True}, carol.token)
    follow(client, alice.token, dora.id)
    follow(client, bob.token, dora.id)
    follow(client, dora.token, alice.id)
    follow(client, dora.token, carol.id)  # a request: carol is private
    photo, profile_photo = photos_of(dora.id, 2)
    assert put_json(client, "/api/users/me", {"profile_media_id": profile_photo}, dora.token).status_code == 200
    put_json(client, "/api/users/me", {"is_private": True}, dora.token)
    follow(client, erin.token, dora.id)  # a request to dora
    response = post_json(client, "/api/posts", {"content": f"#sunset with @{alice.username}", "media_ids": [photo]},
                         dora.token)
    assert response.status_code == 201, response.json_body
    dora_post = response.json_body
    dora_plain_post = create_post(client, dora.token, "#sunset again")
    toggle_like(client, alice.token, dora_post["id"])
    add_comment(client, alice.token, dora_post["id"], "Lovely")

    alice_post = create_post(client, alice.token, "Mine")
    bob_post = create_post(client, bob.token, "Bob's")
    toggle_like(client, dora.token, alice_post["id"])
    toggle_like(client, bob.token, alice_post["id"])
    bobs_comment = add_comment(client, bob.token, alice_post["id"], "Nice")
    doras_comment = add_comment(client, dora.token, alice_post["id"], f"Great @{bob.username}")
    reply = post_json(client, f"/api/posts/{alice_post['id']}/comments",
                      {"content": "Agreed", "parent_id": bobs_comment["id"]}, dora.token)
    assert reply.status_code == 201, reply.json_body
    post_json(client, f"/api/posts/{alice_post['id']}/comments",
              {"content": "Thanks", "parent_id": doras_comment["id"]}, bob.token)
    post_json(client, f"/api/posts/{alice_post['id']}/save", token=dora.token)
    # A like bob has read about, then taken back: its notification is history, which stays.
    toggle_like(client, dora.token, bob_post["id"])
    pump.drain()
    post_json(client, "/api/notifications/read-all", token=bob.token)
    toggle_like(client, dora.token, bob_post["id"])

    post_json(client, f"/api/blocks/{frank.id}", token=dora.token)
    post_json(client, f"/api/blocks/{dora.id}", token=gina.token)
    create_story(client, dora.token, "Today")
    post_json(client, "/api/messages", {"receiver_id": alice.id, "content": "Hi"}, dora.token)
    post_json(client, "/api/messages", {"receiver_id": dora.id, "content": "Hello"}, alice.token)
    post_json(client, f"/api/messages/{alice.id}/read", token=dora.token)
    post_json(client, f"/api/messages/{dora.id}/read", token=alice.token)
    realtime.connected(dora.id, "dora-phone")
    LargeFollow(dora.id, gina.id).save()  # as if gina were large
    post_json(client, "/api/auth/password-reset", {"email": dora.user["email"]})
    assert post_json(client, "/api/users/me/export", token=dora.token).status_code == 202
    pump.drain()
    assert get_json(client, "/api/users/me/export", dora.token)["status"] == "ready"
    return dora, alice, bob, dora_post, dora_plain_post, alice_post, bob_post


def test_an_erased_account_leaves_nothing_in_any_table_and_others_counts_are_right(client, pump, monkeypatch):
    dora, alice, bob, dora_post, dora_plain_post, alice_post, bob_post = a_bit_of_everything(
        client, pump, monkeypatch)
    assert traces_of(dora.id)  # the test can fail
    # The like bob read about, then taken back: its notification stays until the erasure.
    assert [note.type for note in Notification.query(bob.id) if note.actor_id == dora.id and note.type == "like"]

    assert delete_account(client, dora.token).status_code == 204
    pump.drain()

    assert traces_of(dora.id) == []
    # Its posts, and with them their photos, hashtag entries and the likes' marks.
    assert Post.count(dora_post["id"]) == 0 and Post.count(dora_plain_post["id"]) == 0
    assert [media for media in Media.scan()] == []
    assert list(HashtagPost.query("sunset")) == []
    assert Hashtag.get(Hashtag.bucket_for("sunset"), "sunset").public_count == 0
    s3_left = boto3.client("s3").list_objects_v2(Bucket=media_bucket()).get("Contents", [])
    assert [item["Key"] for item in s3_left] == []
    # Others' counters.
    post = Post.get(alice_post["id"])
    assert (post.like_count, post.comment_count) == (1, 1)  # bob's like; bob's comment (its reply from dora went)
    assert Like.count(alice_post["id"]) == 1
    assert Post.get(bob_post["id"]).like_count == 0
    alice_now, bob_now = User.get(alice.id), User.get(bob.id)
    assert (alice_now.follower_count, alice_now.following_count) == (0, 0)
    assert (bob_now.follower_count, bob_now.following_count) == (0, 0)
    assert get_json(client, f"/api/users/{alice.id}", alice.token)["follower_count"] == 0
    # What is kept: the other side of the conversation.
    assert [message.content for message in Message.query(conversation_key(alice.id, dora.id))] == ["Hi", "Hello"]
    assert [conversation.other_user_id for conversation in Conversation.query(alice.id)] == [dora.id]
    assert found(client, "dora") == []
    # The tombstone's own counters, which late events may still touch.
    tombstone = User.get(dora.id)
    assert (tombstone.is_active, tombstone.post_count, tombstone.follower_count, tombstone.following_count) == (
        False, 0, 0, 0)
    # Every list alice or bob can read holds nothing of dora's.
    for person, path in ((alice, f"/api/users/{alice.id}/followers?limit=100"),
                         (alice, f"/api/users/{alice.id}/following?limit=100"),
                         (alice, f"/api/posts/{alice_post['id']}/comments"),
                         (bob, "/api/notifications"), (alice, "/api/notifications"),
                         (alice, "/api/feed"), (alice, "/api/stories/feed"),
                         (alice, "/api/search/posts/hashtag/sunset"), (alice, "/api/search/hashtags?q=sun")):
        shown = get_json(client, path, person.token)
        assert str(dora.id) not in str(shown) and "dora" not in str(shown), path
    replies = get_json(client, f"/api/posts/comments/{bobs_comment_id(alice_post['id'])}/replies", alice.token)
    assert [reply["content"] for reply in replies] == []
    register(client, "dora")  # the username is free


def test_notifications_the_account_caused_go_read_or_unread(client, pump, alice, bob):
    post = create_post(client, alice.token, "Hello")
    toggle_like(client, bob.token, post["id"])
    follow(client, bob.token, alice.id)
    add_comment(client, bob.token, post["id"])
    pump.drain()
    post_json(client, "/api/notifications/read-all", token=alice.token)
    assert {note.type for note in Notification.query(alice.id)} == {"like", "follow", "comment"}

    assert delete_account(client, bob.token).status_code == 204
    pump.drain()

    assert list(Notification.query(alice.id)) == []
    assert get_json(client, "/api/notifications", alice.token) == []


def bobs_comment_id(post_id: int) -> int:
    [comment] = Comment.by_post.query(post_id)
    return comment.comment_id


def deleted_event(published) -> events.Event:
    return of_types(published, {"user.deleted"})[0]


def test_a_replayed_user_deleted_has_one_effect(client, pump, published, alice, bob):
    """Two walks of one account, at once and after: each undo is done once."""
    post = create_post(client, alice.token, "Hello")
    toggle_like(client, bob.token, post["id"])
    follow(client, bob.token, alice.id)
    follow(client, alice.token, bob.id)
    pump.drain()
    assert delete_account(client, bob.token).status_code == 204
    publish(deleted_event(published))  # delivered twice
    pump.drain()
    publish(deleted_event(published))  # and once more, long after
    pump.drain()
    alice_now = User.get(alice.id)
    assert (alice_now.follower_count, alice_now.following_count, Post.get(post["id"]).like_count) == (0, 0, 0)
    assert traces_of(bob.id) == []


def test_a_replayed_continuation_has_one_effect(client, pump, published, monkeypatch, alice):
    monkeypatch.setenv("ERASURE_CHUNK", "2")
    fans = [register_and_login(client) for _ in range(5)]
    for fan in fans:
        follow(client, fan.token, alice.id)
        follow(client, alice.token, fan.id)
    pump.drain()
    assert delete_account(client, alice.token).status_code == 204
    pump.drain()
    continuations = of_types(published, {"user.erasure_continued"})
    assert any(event.payload.step == "followers" and event.payload.after for event in continuations)
    for event in continuations:
        publish(event)
    pump.drain()
    for fan in fans:
        fan_now = User.get(fan.id)
        assert (fan_now.follower_count, fan_now.following_count) == (0, 0)
    assert traces_of(alice.id) == []


def test_a_failing_chunk_is_retried_then_dead_lettered_and_a_redrive_finishes_it(client, pump, monkeypatch, alice,
                                                                               bob):
    follow(client, bob.token, alice.id)
    pump.drain()

    def broken(user_id, after, limit):
        raise RuntimeError("DynamoDB is having a bad day")

    steps = tuple(step._replace(run=broken) if step.name == "followers" else step for step in erasure.STEPS)
    with monkeypatch.context() as patch:
        patch.setattr(erasure, "STEPS", steps)
        assert delete_account(client, alice.token).status_code == 204
        pump.drain()
    assert dead_letters.counts()["erasure"] == 1
    assert Follow.count(bob.id) == 1  # not erased yet

    assert dead_letters.redrive("erasure") == {"erasure": 1}
    pump.drain()
    assert Follow.count(bob.id) == 0
    assert User.get(bob.id).following_count == 0
    assert traces_of(alice.id) == []


def test_a_user_deleted_for_an_active_account_erases_nothing(client, pump, alice, bob):
    follow(client, bob.token, alice.id)
    pump.drain()
    publish(events.Event(events.UserDeleted(user_id=alice.id, username=alice.username)))
    pump.drain()
    assert Follow.count(bob.id) == 1


CHUNK, BATCH_CHUNK = 3, 8
# The most writes one item of a command step costs: a like taken back
# (like, post, mark and outbox entry; then the entry's delete), its save
# (mark and entry; the entry's delete), and the mark's own delete.
WRITES_PER_ITEM = 9
# A notification, and the two claims of its pair.
WRITES_PER_BATCH_ITEM = 3


def writes_of(operation: str, params: dict) -> int:
    if operation == "TransactWriteItems":
        return len(params["TransactItems"])
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in params["RequestItems"].values())
    return 1 if operation in ("PutItem", "UpdateItem", "DeleteItem") else 0


@pytest.fixture
def erasure_invocations(monkeypatch):
    """The DynamoDB writes of each eraser invocation, in order."""
    invocations = []
    running = []

    def counted(handler):
        def run(event):
            invocations.append(0)
            running.append(True)
            try:
                handler(event)
            finally:
                running.pop()
        return run

    for event_type, handler in list(erasure.HANDLERS.items()):
        monkeypatch.setitem(erasure.HANDLERS, event_type, counted(handler))

    def watch(client, operation, params, call_through):
        if running and client.meta.service_model.service_name == "dynamodb":
            invocations[-1] += writes_of(operation, params)
        return call_through(client, operation, params)

    with intercepting_aws_calls(watch):
        yield invocations


def test_a_large_account_is_erased_in_bounded_chunks(client, pump, monkeypatch, erasure_invocations, alice):
    monkeypatch.setenv("ERASURE_CHUNK", str(CHUNK))
    monkeypatch.setenv("ERASURE_BATCH_CHUNK", str(BATCH_CHUNK))
    fans = [register_and_login(client) for _ in range(15)]
    for fan in fans:
        follow(client, fan.token, alice.id)
    posts = [create_post(client, alice.token, f"post {number} #big")["id"] for number in range(12)]
    for fan in fans[:6]:
        toggle_like(client, alice.token, create_post(client, fan.token, "fan post")["id"])
    pump.drain()
    assert erasure_invocations == []

    assert delete_account(client, alice.token).status_code == 204
    pump.drain()

    assert traces_of(alice.id) == []
    assert all(Post.count(post_id) == 0 for post_id in posts)
    assert all(User.get(fan.id).following_count == 0 for fan in fans)
    # 12 posts, 15 followers and 6 likes, 3 at a time, and the partitions 8 at a time.
    assert len(erasure_invocations) >= 12 // CHUNK + 15 // CHUNK + 6 // CHUNK
    assert max(erasure_invocations) <= max(CHUNK * WRITES_PER_ITEM, BATCH_CHUNK * WRITES_PER_BATCH_ITEM)
    assert sum(erasure_invocations) > 4 * max(erasure_invocations)  # the whole is far more than any chunk


def test_an_erasure_reads_by_key_and_index_only(client, pump, alice, bob):
    follow(client, bob.token, alice.id)
    create_post(client, alice.token, "Hello")
    pump.drain()
    assert delete_account(client, alice.token).status_code == 204
    with counting_dynamodb_calls() as calls:
        pump.drain()
    assert "Scan" not in calls
