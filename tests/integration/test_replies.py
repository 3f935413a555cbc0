"""Comment replies (CONTRACT.md, "Comment replies"): one level, counted
exactly in the same transaction, removed with their top-level comment."""
import pytest

from chalicelib.commands import posts as commands
from chalicelib.consumers.notifications import HANDLERS
from chalicelib.events import CommentAdded
from chalicelib.models import Comment, Post
from chalicelib.models.base import stored_now
from tests.helpers import (
    TOKEN_CHECK,
    add_comment,
    counting_dynamodb_calls,
    create_post,
    delete,
    get,
    get_json,
    post_json,
    register_and_login,
)


def reply(client, token, post_id, parent_id, content="Agreed"):
    return post_json(client, f"/api/posts/{post_id}/comments", {"content": content, "parent_id": parent_id}, token)


def replies(client, comment_id) -> list[dict]:
    return get_json(client, f"/api/posts/comments/{comment_id}/replies")


def counts(post_id, comment_id) -> tuple[int, int]:
    """The post's comment_count and the comment's reply_count, as stored."""
    return Post.get(post_id).comment_count, Comment.get(comment_id).reply_count


@pytest.fixture
def thread(client, alice, bob):
    """alice's post, with a top-level comment by bob."""
    post = create_post(client, alice.token, "Golden hour")
    return post, add_comment(client, bob.token, post["id"], "Lovely")


def test_a_reply_names_its_parent_and_counts_on_both(client, alice, thread):
    post, top = thread
    response = reply(client, alice.token, post["id"], top["id"])
    assert response.status_code == 201
    assert (response.json_body["parent_id"], response.json_body["reply_count"]) == (top["id"], 0)
    assert response.json_body["post_id"] == post["id"]
    assert counts(post["id"], top["id"]) == (2, 1)
    assert (top["parent_id"], top["reply_count"]) == (None, 0)


def test_the_post_lists_top_level_comments_and_a_comment_its_replies_oldest_first(client, alice, bob, thread):
    post, top = thread
    first = reply(client, alice.token, post["id"], top["id"], "first").json_body
    second = reply(client, bob.token, post["id"], top["id"], "second").json_body
    assert [c["id"] for c in get_json(client, f"/api/posts/{post['id']}/comments")] == [top["id"]]
    assert [c["id"] for c in replies(client, top["id"])] == [first["id"], second["id"]]
    assert get_json(client, f"/api/posts/{post['id']}/comments")[0]["reply_count"] == 2


def test_a_reply_to_a_reply_belongs_to_the_same_top_level_comment(client, alice, bob, thread):
    post, top = thread
    first = reply(client, alice.token, post["id"], top["id"]).json_body
    nested = reply(client, bob.token, post["id"], first["id"]).json_body
    assert nested["parent_id"] == top["id"]
    assert [c["id"] for c in replies(client, top["id"])] == [first["id"], nested["id"]]
    assert counts(post["id"], top["id"]) == (3, 2)


def test_a_parent_that_is_unknown_or_on_another_post_is_404_and_adds_nothing(client, alice, thread):
    post, top = thread
    other = create_post(client, alice.token, "Another")
    for post_id, parent_id in ((other["id"], top["id"]), (post["id"], 987654321)):
        response = reply(client, alice.token, post_id, parent_id)
        assert response.status_code == 404 and response.json_body == {"detail": "Comment not found"}
    assert counts(post["id"], top["id"]) == (1, 0)
    assert Post.get(other["id"]).comment_count == 0


@pytest.mark.parametrize("parent_id", [0, -1, "abc", 2**53])
def test_a_parent_id_that_cannot_be_an_id_is_422(client, alice, thread, parent_id):
    post, _ = thread
    response = reply(client, alice.token, post["id"], parent_id)
    assert response.status_code == 422 and response.json_body["detail"].startswith("parent_id")


def test_replies_of_an_unknown_comment_are_404(client):
    assert get(client, "/api/posts/comments/987654321/replies").status_code == 404


def test_deleting_a_reply_counts_it_out_of_both(client, alice, thread):
    post, top = thread
    answer = reply(client, alice.token, post["id"], top["id"]).json_body
    assert delete(client, f"/api/posts/comments/{answer['id']}", alice.token).status_code == 204
    assert counts(post["id"], top["id"]) == (1, 0)
    assert replies(client, top["id"]) == []


def test_deleting_a_top_level_comment_takes_its_replies_and_the_count_at_once(client, pump, alice, bob, thread):
    post, top = thread
    answers = [reply(client, who.token, post["id"], top["id"]).json_body for who in (alice, bob)]
    assert Post.get(post["id"]).comment_count == 3
    assert delete(client, f"/api/posts/comments/{top['id']}", bob.token).status_code == 204
    assert Post.get(post["id"]).comment_count == 0
    assert get(client, f"/api/posts/comments/{top['id']}/replies").status_code == 404
    pump.drain()
    assert [stored_now(Comment, answer["id"]) for answer in answers] == [None, None]


def test_a_reply_committed_after_the_deletion_read_the_count_is_counted_out_too(
        client, alice, bob, thread, monkeypatch):
    post, top = thread
    stale = Comment.get(top["id"])  # reply_count 0, as the deletion will first read it
    reply(client, alice.token, post["id"], top["id"])
    reads = []

    def first_read_stale(model, *key):
        reads.append(key)
        return stale if model is Comment and len(reads) == 1 else stored_now(model, *key)

    monkeypatch.setattr(commands, "stored_now", first_read_stale)
    commands.delete_comment(bob.id, top["id"])
    assert Post.get(post["id"]).comment_count == 0


def test_a_reply_to_a_comment_deleted_after_it_was_read_is_404_and_counts_nothing(
        client, alice, bob, thread, monkeypatch):
    post, top = thread
    parent = Comment.get(top["id"])
    assert delete(client, f"/api/posts/comments/{top['id']}", bob.token).status_code == 204
    monkeypatch.setattr(commands, "stored_now", lambda model, *key: parent if model is Comment else None)
    response = reply(client, alice.token, post["id"], top["id"])
    assert response.status_code == 404 and response.json_body == {"detail": "Comment not found"}
    assert Post.get(post["id"]).comment_count == 0


def types_of(client, person) -> list[str]:
    return sorted(n["type"] for n in get_json(client, "/api/notifications", person.token))


def test_a_reply_notifies_the_comments_author_and_the_posts_author_once_each(client, pump, alice, bob, thread):
    post, top = thread
    carol = register_and_login(client, "carol")
    reply(client, carol.token, post["id"], top["id"])
    pump.drain()
    [note] = [n for n in get_json(client, "/api/notifications", bob.token) if n["type"] == "reply"]
    assert (note["message"], note["reference_id"], note["actor_id"]) == (
        "carol replied to your comment", post["id"], carol.id)
    assert types_of(client, alice) == ["comment", "comment"]  # bob's comment, then carol's reply


def test_the_post_author_replied_to_on_their_own_comment_hears_once_as_a_reply(client, pump, alice, bob):
    post = create_post(client, alice.token)
    top = add_comment(client, alice.token, post["id"], "My own note")
    reply(client, bob.token, post["id"], top["id"])
    pump.drain()
    assert types_of(client, alice) == ["reply"]


def test_replying_to_yourself_notifies_nobody_but_the_posts_author(client, pump, alice, bob, thread):
    post, top = thread
    reply(client, bob.token, post["id"], top["id"])
    pump.drain()
    assert types_of(client, bob) == []


def test_a_reply_costs_the_round_trips_of_the_data_model(client, alice, thread):
    post, top = thread
    with counting_dynamodb_calls() as calls:
        reply(client, alice.token, post["id"], top["id"])
    assert calls == [TOKEN_CHECK, "UpdateItem", "GetItem", "GetItem", "TransactWriteItems", "DeleteItem"]


def test_a_redelivered_reply_event_notifies_once(client, pump, alice, bob, thread, published):
    post, top = thread
    reply(client, alice.token, post["id"], top["id"])
    pump.drain()
    [added] = [event for event in published if event.type == CommentAdded.type][-1:]
    HANDLERS[CommentAdded](added)
    assert types_of(client, bob) == ["reply"]
