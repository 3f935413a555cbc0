"""Mentions (CONTRACT.md, "Mentions"): an @username in a post or comment
notifies that user once per text, made by the notifications consumer."""
import pytest

from chalicelib.consumers.notifications import HANDLERS
from chalicelib.events import PostCreated
from tests.helpers import (
    add_comment,
    counting_dynamodb_calls,
    create_post,
    event_of,
    get_json,
    post_json,
    register_and_login,
)


def mentions_of(client, person) -> list[dict]:
    return [n for n in get_json(client, "/api/notifications", person.token) if n["type"] == "mention"]


@pytest.fixture
def carol(client):
    return register_and_login(client, "carol")


def test_a_post_mentioning_a_user_notifies_them_with_the_post_as_reference(client, pump, alice, bob):
    post = create_post(client, alice.token, "Sunset with @bob")
    pump.drain()
    [mention] = mentions_of(client, bob)
    assert mention["message"] == "alice mentioned you"
    assert (mention["actor_id"], mention["reference_id"], mention["is_read"]) == (alice.id, post["id"], False)


def test_names_are_case_insensitive_and_each_user_is_told_once_per_text(client, pump, alice, bob, carol):
    create_post(client, alice.token, "@Bob and @BOB and @bob, also @carol.")
    pump.drain()
    assert len(mentions_of(client, bob)) == 1
    assert len(mentions_of(client, carol)) == 1


def test_unknown_names_an_email_address_and_yourself_notify_nobody(client, pump, alice, bob):
    create_post(client, alice.token, "@nobody_here write to bob@example.com, says @alice")
    pump.drain()
    assert mentions_of(client, bob) == [] and mentions_of(client, alice) == []


def test_a_comment_mentioning_users_notifies_them_and_the_posts_author_once(client, pump, alice, bob, carol):
    post = create_post(client, alice.token, "Golden hour")
    add_comment(client, bob.token, post["id"], "@carol look! and @alice")
    pump.drain()
    [mention] = mentions_of(client, carol)
    assert (mention["message"], mention["reference_id"]) == ("bob mentioned you", post["id"])
    # The post's author hears of the comment once: as a comment.
    assert [n["type"] for n in get_json(client, "/api/notifications", alice.token)] == ["comment"]


def test_mentions_in_a_comment_on_your_own_post_still_notify(client, pump, alice, bob):
    post = create_post(client, alice.token, "Golden hour")
    add_comment(client, alice.token, post["id"], "thanks @bob")
    pump.drain()
    assert len(mentions_of(client, bob)) == 1


@pytest.mark.parametrize("where", ["post", "comment"])
def test_more_than_twenty_distinct_mentions_is_422_naming_content(client, alice, where):
    text = " ".join(f"@user{number}" for number in range(21))
    if where == "post":
        response = post_json(client, "/api/posts", {"content": text}, alice.token)
    else:
        post = create_post(client, alice.token)
        response = post_json(client, f"/api/posts/{post['id']}/comments", {"content": text}, alice.token)
    assert response.status_code == 422 and response.json_body["detail"].startswith("content")


def test_twenty_mentions_and_repeats_of_them_are_fine(client, alice):
    text = " ".join(f"@user{number % 20}" for number in range(40))
    assert post_json(client, "/api/posts", {"content": text}, alice.token).status_code == 201


def test_a_redelivered_post_created_notifies_once(client, pump, alice, bob):
    post = create_post(client, alice.token, "hi @bob")
    pump.drain()
    HANDLERS[PostCreated](event_of(PostCreated, {"post_id": post["id"], "author_id": alice.id}))
    assert len(mentions_of(client, bob)) == 1


def test_resolving_mentions_costs_one_batch_read_whatever_the_number_of_names(client, alice):
    names = [register_and_login(client).username for _ in range(5)]
    calls = {}
    for count in (1, 5):
        post = create_post(client, alice.token, " ".join(f"@{name}" for name in names[:count]))
        with counting_dynamodb_calls() as made:
            HANDLERS[PostCreated](event_of(PostCreated, {"post_id": post["id"], "author_id": alice.id}))
        # Each mentioned user's notification: its write (with notification.created) and the outbox's clearing.
        calls[count] = [call for call in made if call not in ("TransactWriteItems", "DeleteItem")]
        assert (made.count("TransactWriteItems"), made.count("DeleteItem")) == (count, count)
    # the post, the names' claims, the author's block items for them
    assert calls[1] == calls[5] == ["GetItem", "BatchGetItem", "BatchGetItem"]
