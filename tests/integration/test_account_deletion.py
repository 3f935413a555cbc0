"""DELETE /api/users/me (docs/accounts.md, "Account deletion"): what holds
from the answer on, before any consumer of user.deleted has run. No test
here drains the pump after the deletion: the queued events wait, as they
may in production while the erasure runs."""
import json
from typing import NamedTuple

import pytest

from chalicelib import events
from chalicelib.models import LargeFollow, SearchEntry, UniqueKey, User
from chalicelib.search_terms import bucket_for
from infra import dead_letters
from tests.helpers import (
    TOKEN_CHECK,
    Person,
    add_comment,
    auth_headers,
    create_post,
    create_story,
    delete_account,
    follow,
    get,
    login_attempt,
    of_types,
    post_json,
    put_json,
    register,
    register_and_login,
    toggle_like,
)

PASSWORD = "correct horse"


# --- the request ------------------------------------------------------------------------

def test_deleting_my_account_answers_204_and_leaves_a_tombstone_without_personal_data(client):
    user, token = register_and_login(client, full_name="Anna Karenina")
    response = delete_account(client, token)
    assert response.status_code == 204
    assert response.body in (b"", "", None)
    tombstone = User.get(user["id"], consistent_read=True)
    assert tombstone.deleted and tombstone.is_active is False
    assert (tombstone.email, tombstone.full_name, tombstone.bio, tombstone.profile_image_url) == (None,) * 4
    assert not tombstone.password_hash.startswith("$2")


def test_a_wrong_password_is_403_and_deletes_nothing(client):
    user, token = register_and_login(client)
    response = delete_account(client, token, "not my password")
    assert response.status_code == 403
    assert response.json_body == {"detail": "Password is incorrect"}
    assert get(client, "/api/auth/me", token).status_code == 200
    assert login_attempt(client, user["email"], PASSWORD).status_code == 200


@pytest.mark.parametrize("raw", [b"", b"{}", b'{"password": null}', b"[1]"])
def test_a_missing_password_is_422_and_deletes_nothing(client, raw):
    _, token = register_and_login(client)
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    response = client.delete("/api/users/me", headers=headers, body=raw)
    assert response.status_code == 422
    assert set(response.json_body) == {"detail"}
    assert get(client, "/api/auth/me", token).status_code == 200


def test_deleting_needs_a_token(client):
    assert delete_account(client, None).status_code == 401


def test_wrong_passwords_count_in_the_bucket_of_password_changes(client, clock, limits):
    """Like a wrong current password (and apart from failed logins): a
    stolen token cannot guess the password through this route either."""
    limits(PASSWORD_ATTEMPTS_PER_USER=2)
    _, token = register_and_login(client)
    assert delete_account(client, token, "wrong").status_code == 403
    change = {"current_password": "wrong", "new_password": "battery staple"}
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    assert client.put("/api/auth/password", headers=headers, body=json.dumps(change)).status_code == 403
    response = delete_account(client, token)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert get(client, "/api/auth/me", token).status_code == 200


def test_a_second_delete_with_the_same_token_is_401(client):
    _, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    response = delete_account(client, token)
    assert response.status_code == 401
    assert response.json_body == {"detail": "Could not validate credentials"}


def test_the_deletion_publishes_user_deleted_with_the_profile_photo(client, published):
    user, token = register_and_login(client)
    User(user["id"]).update(actions=[User.profile_media_id.set(77), User.profile_image_url.set("https://x/t.jpg")])
    assert delete_account(client, token).status_code == 204
    [event] = of_types(published, {events.UserDeleted.type})
    assert event.data == {"user_id": user["id"], "username": user["username"], "media_ids": [77]}


def test_the_deletion_is_one_transaction_after_the_password_check(client, dynamodb_calls):
    _, token = register_and_login(client)
    dynamodb_calls.clear()
    assert delete_account(client, token).status_code == 204
    # The token check, the write limit, the password attempt, the tombstone
    # with both claims and the event, the outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "UpdateItem", "TransactWriteItems", "DeleteItem"]


def test_a_claim_that_names_someone_else_is_left_alone(client):
    """The claims go only while they name the deleted user."""
    user, token = register_and_login(client)
    UniqueKey(key=UniqueKey.for_username(user["username"]), user_id=999).save()
    assert delete_account(client, token).status_code == 204
    assert UniqueKey.get(UniqueKey.for_username(user["username"])).user_id == 999
    assert UniqueKey.count(UniqueKey.for_email(user["email"])) == 0


# --- from the answer on: the account itself ---------------------------------------------

def test_every_token_of_the_account_is_401_at_once(client):
    user, token = register_and_login(client)
    other_session = login_attempt(client, user["email"], PASSWORD).json_body["access_token"]
    assert delete_account(client, token).status_code == 204
    for old in (token, other_session):
        assert get(client, "/api/auth/me", old).status_code == 401
        assert get(client, "/api/feed", old).status_code == 401
        assert post_json(client, "/api/posts", {"content": "still here?"}, old).status_code == 401


def test_logging_in_as_a_deleted_account_is_401(client):
    user, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    response = login_attempt(client, user["email"], PASSWORD)
    assert response.status_code == 401
    assert response.json_body == {"detail": "Invalid credentials"}


def test_the_username_and_email_can_be_registered_again_at_once(client):
    user, token = register_and_login(client, "phoenix")
    assert delete_account(client, token).status_code == 204
    again = register(client, "Phoenix", email=user["email"].upper())
    assert again["id"] != user["id"]
    token = login_attempt(client, user["email"], PASSWORD).json_body["access_token"]
    assert get(client, "/api/auth/me", token).json_body["id"] == again["id"]


def test_the_profile_is_404_to_everyone(client, bob):
    user, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    for viewer in (None, bob.token):
        for path in (f"/api/users/{user['id']}", f"/api/users/{user['id']}/posts",
                     f"/api/users/{user['id']}/followers", f"/api/users/{user['id']}/following"):
            response = get(client, path, viewer)
            assert response.status_code == 404, path
            assert response.json_body == {"detail": "User not found"}


def test_nobody_can_follow_block_or_message_a_deleted_account(client, bob):
    user, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    assert post_json(client, f"/api/follow/{user['id']}", None, bob.token).status_code == 404
    assert post_json(client, f"/api/blocks/{user['id']}", None, bob.token).status_code == 404
    message = {"receiver_id": user["id"], "content": "are you there?"}
    assert post_json(client, "/api/messages", message, bob.token).status_code == 404


# --- from the answer on: everything it wrote, on every page ------------------------------

MARK = "vicmark"  # in everything the deleted account writes: found in no body after the deletion


class Traces(NamedTuple):
    vic: Person
    bob: Person  # follows vic, saved and liked its post, wrote to it
    carol: Person  # private: vic asked to follow her
    dave: Person  # blocked vic
    vic_post: int
    vic_comment: int  # on bob's post
    bob_comment: int  # on bob's post, replied to by vic
    vic_comment_on_own_post: int
    bob_post: int


@pytest.fixture
def traces(client, pump) -> Traces:
    """vic has left something in every kind of list another user reads; the
    consumers have run (feed, notifications, search, hashtags), and the
    walk checks that everything is there before the deletion."""
    vic = register_and_login(client, "vanishing_vic", full_name=f"Vic {MARK}")
    bob, carol, dave = (register_and_login(client, name) for name in ("bob", "carol", "dave"))
    assert put_json(client, "/api/users/me", {"is_private": True}, carol.token).status_code == 200
    bob_post = create_post(client, bob.token, "bob's #sunset")["id"]
    bob_comment = add_comment(client, bob.token, bob_post, "bob's own comment")["id"]
    follow(client, bob.token, vic.id)
    follow(client, vic.token, bob.id)
    assert post_json(client, f"/api/follow/{carol.id}", None, vic.token).json_body["requested"] is True
    assert post_json(client, f"/api/blocks/{vic.id}", None, dave.token).status_code == 200
    vic_post = create_post(client, vic.token, f"{MARK} #sunset with @bob")["id"]
    vic_comment_on_own_post = add_comment(client, vic.token, vic_post, f"{MARK} own")["id"]
    vic_comment = add_comment(client, vic.token, bob_post, f"{MARK} on bob's, @bob")["id"]
    reply = post_json(client, f"/api/posts/{bob_post}/comments", {"content": f"{MARK} reply", "parent_id": bob_comment},
                      vic.token)
    assert reply.status_code == 201, reply.json_body
    toggle_like(client, vic.token, bob_post)
    toggle_like(client, bob.token, vic_post)
    assert post_json(client, f"/api/posts/{vic_post}/save", None, bob.token).status_code == 200
    create_story(client, vic.token, content=f"{MARK} story")
    sent = post_json(client, "/api/messages", {"receiver_id": bob.id, "content": f"{MARK} hello bob"}, vic.token)
    assert sent.status_code == 201, sent.json_body
    pump.drain()
    return Traces(vic, bob, carol, dave, vic_post, vic_comment, bob_comment, vic_comment_on_own_post, bob_post)


def own_pages(t: Traces) -> list[str]:
    """vic's own pages: 404 to everyone once the account is deleted."""
    return [
        f"/api/users/{t.vic.id}",
        f"/api/users/{t.vic.id}/posts",
        f"/api/users/{t.vic.id}/followers",
        f"/api/users/{t.vic.id}/following",
        f"/api/posts/{t.vic_post}",
        f"/api/posts/{t.vic_post}/comments",
        f"/api/posts/comments/{t.vic_comment_on_own_post}/replies",
        f"/api/posts/comments/{t.vic_comment}/replies",
    ]


def pages(t: Traces) -> list[tuple[str, str | None, str]]:
    """(path, token, who) of every other page that could show something of
    vic's, as bob, carol, dave or nobody reads them."""
    b, c, d = t.bob.token, t.carol.token, t.dave.token
    anyone = [
        f"/api/posts/{t.bob_post}/comments",
        f"/api/posts/comments/{t.bob_comment}/replies",
        f"/api/users/{t.bob.id}/followers",
        f"/api/users/{t.bob.id}/following",
        "/api/search/users?q=vanish",
        "/api/search/users?q=vic",
        "/api/search/posts/hashtag/sunset",
    ]
    signed_in = [(path, b, "bob") for path in anyone + [
        "/api/feed", "/api/saved", "/api/stories/feed", "/api/notifications", "/api/messages",
    ]] + [("/api/follow/requests", c, "carol"), ("/api/notifications", c, "carol"), ("/api/blocks", d, "dave")]
    return [(path, None, "nobody") for path in anyone] + signed_in


def shows_vic(t: Traces, body) -> bool:
    """Whether a body shows anything of vic's: what it wrote, its name, its id."""
    text = json.dumps(body)
    return MARK in text or "vanishing_vic" in text or any(
        f'"{field}": {t.vic.id}' in text for field in ("id", "author_id", "actor_id"))


def test_the_walk_sees_vics_traces_before_the_deletion(client, traces):
    """Else the walk below could pass for lack of anything to find."""
    for path, token, who in pages(traces):
        response = get(client, path, token)
        assert response.status_code == 200, (path, who)
        assert path == "/api/messages" or shows_vic(traces, response.json_body), (path, who)
    for path in own_pages(traces):
        assert get(client, path, traces.bob.token).status_code == 200, path
        assert get(client, path).status_code == 200, path
    [conversation] = get(client, "/api/messages", traces.bob.token).json_body
    assert (conversation["other_user_id"], conversation["other_user_deleted"]) == (traces.vic.id, False)


def test_nothing_of_a_deleted_account_shows_anywhere_before_the_erasure(client, traces):
    assert delete_account(client, traces.vic.token).status_code == 204
    # No pump.drain(): the consumers of user.deleted have not run.
    shown = []
    for path, token, who in pages(traces):
        response = get(client, path, token)
        assert response.status_code == 200, (path, who, response.json_body)
        if path != "/api/messages" and shows_vic(traces, response.json_body):
            shown.append((path, who))
    assert shown == []
    for path in own_pages(traces):
        for token in (traces.bob.token, None):
            response = get(client, path, token)
            assert response.status_code == 404, (path, token, response.json_body)
    # The messages stay on bob's side, vic shown as a deleted account.
    [conversation] = get(client, "/api/messages", traces.bob.token).json_body
    assert (conversation["other_user_id"], conversation["other_user_deleted"]) == (traces.vic.id, True)
    thread = get(client, f"/api/messages/{traces.vic.id}", traces.bob.token).json_body
    assert [message["content"] for message in thread] == [f"{MARK} hello bob"]


def test_an_account_deleted_before_its_mail_went_out_gets_none_and_parks_nothing(local_client, pump):
    """The registration mail's consumer finds a tombstone without an
    address: nothing to send, nothing to retry."""
    user = register(local_client, "fleeting")
    token = login_attempt(local_client, user["email"], PASSWORD).json_body["access_token"]
    assert post_json(local_client, "/api/auth/password-reset", {"email": user["email"]}).status_code == 202
    assert delete_account(local_client, token).status_code == 204
    pump.drain()
    assert get(local_client, f"/local/mail?to={user['email']}").json_body == []
    assert dead_letters.counts()["mail"] == 0


def test_a_registration_indexed_after_the_deletion_leaves_no_search_entry(client, pump):
    """The search consumer reconciles with the stored user: a tombstone has
    no terms, so a late user.registered unindexes rather than indexes."""
    user, token = register_and_login(client, "latecomer")
    assert delete_account(client, token).status_code == 204
    pump.drain()
    assert list(SearchEntry.query(bucket_for("latecomer"), SearchEntry.sort.startswith("latecomer"))) == []


def test_a_large_deleted_accounts_posts_leave_the_feeds_that_merge_them_on_read(client, traces):
    """A large account's posts are merged into feeds on read (from its
    posts, not the timeline): they go too."""
    LargeFollow(traces.bob.id, traces.vic.id).save()
    assert shows_vic(traces, get(client, "/api/feed", traces.bob.token).json_body)
    assert delete_account(client, traces.vic.token).status_code == 204
    feed = get(client, "/api/feed", traces.bob.token)
    assert feed.status_code == 200 and feed.json_body and not shows_vic(traces, feed.json_body)
