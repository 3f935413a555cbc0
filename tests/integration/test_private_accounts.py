"""Private accounts and follow requests (CONTRACT.md, "Private accounts and
follow requests"): who sees what, how a request becomes a follow, and what
the consumers make of it."""
import pytest

from chalicelib.commands import follows
from chalicelib.consumers import follow_requests
from chalicelib.models import User
from tests.helpers import (
    create_post,
    delete,
    get,
    get_json,
    landing_after_read,
    post_json,
    put_json,
    register_and_login,
    transactions_conflicting,
)

PRIVATE = {"detail": "This account is private"}
NO_POST = {"detail": "Post not found"}


def go_private(client, person, private: bool = True) -> dict:
    response = put_json(client, "/api/users/me", {"is_private": private}, person.token)
    assert response.status_code == 200, response.json_body
    return response.json_body


def ask(client, person, account) -> dict:
    response = post_json(client, f"/api/follow/{account.id}", None, person.token)
    assert response.status_code == 200, response.json_body
    return response.json_body


def approve(client, account, requester):
    return post_json(client, f"/api/follow/requests/{requester.id}/approve", None, account.token)


def counts(client, person) -> tuple[int, int]:
    profile = get_json(client, f"/api/users/{person.id}")
    return profile["follower_count"], profile["following_count"]


@pytest.fixture
def private_alice(client, alice):
    go_private(client, alice)
    return alice


def test_accounts_are_public_by_default_and_the_owner_can_make_theirs_private(client, alice):
    assert get_json(client, "/api/auth/me", alice.token)["is_private"] is False
    assert go_private(client, alice)["is_private"] is True
    assert get_json(client, f"/api/users/{alice.id}")["is_private"] is True
    assert go_private(client, alice, False)["is_private"] is False


def test_is_private_takes_only_a_boolean(client, alice):
    response = put_json(client, "/api/users/me", {"is_private": "yes"}, alice.token)
    assert response.status_code == 422 and "is_private" in response.json_body["detail"]


def test_following_a_public_account_answers_following_and_not_requested(client, alice, bob):
    assert ask(client, bob, alice) == {"following": True, "requested": False}


def test_following_a_private_account_makes_a_request_not_a_follow(client, private_alice, bob):
    assert ask(client, bob, private_alice) == {"following": False, "requested": True}
    assert counts(client, private_alice) == (0, 0)
    again = post_json(client, f"/api/follow/{private_alice.id}", None, bob.token)
    assert again.status_code == 400 and again.json_body == {"detail": "Already requested"}


def test_the_account_lists_its_requests_newest_first(client, private_alice, bob):
    carol = register_and_login(client, "carol")
    ask(client, bob, private_alice)
    ask(client, carol, private_alice)
    requests = get_json(client, "/api/follow/requests", private_alice.token)
    assert [user["username"] for user in requests] == ["carol", "bob"]
    assert all(user["email"] is None for user in requests)
    assert get_json(client, "/api/follow/requests", bob.token) == []


def test_withdrawing_a_request_answers_neither(client, private_alice, bob):
    ask(client, bob, private_alice)
    response = delete(client, f"/api/follow/{private_alice.id}", bob.token)
    assert response.status_code == 200 and response.json_body == {"following": False, "requested": False}
    assert get_json(client, "/api/follow/requests", private_alice.token) == []
    again = delete(client, f"/api/follow/{private_alice.id}", bob.token)
    assert again.status_code == 400 and again.json_body == {"detail": "Not following"}


def test_approving_makes_the_follow_with_its_counts_and_backfills_the_feed(client, pump, private_alice, bob):
    post = create_post(client, private_alice.token, "only for friends")
    ask(client, bob, private_alice)
    response = approve(client, private_alice, bob)
    assert response.status_code == 200 and response.json_body == {"status": "ok"}
    assert counts(client, private_alice) == (1, 0) and counts(client, bob) == (0, 1)
    assert get_json(client, "/api/follow/requests", private_alice.token) == []
    pump.drain()
    assert post["id"] in [p["id"] for p in get_json(client, "/api/feed", bob.token)]
    again = post_json(client, f"/api/follow/{private_alice.id}", None, bob.token)
    assert again.status_code == 400 and again.json_body == {"detail": "Already following"}


def test_approving_or_declining_a_request_that_does_not_exist_is_404(client, private_alice, bob):
    assert approve(client, private_alice, bob).status_code == 404
    response = delete(client, f"/api/follow/requests/{bob.id}", private_alice.token)
    assert response.status_code == 404 and response.json_body == {"detail": "Follow request not found"}


def test_declining_removes_the_request_and_makes_no_follow(client, private_alice, bob):
    ask(client, bob, private_alice)
    response = delete(client, f"/api/follow/requests/{bob.id}", private_alice.token)
    assert response.status_code == 200 and response.json_body == {"status": "ok"}
    assert get_json(client, "/api/follow/requests", private_alice.token) == []
    assert counts(client, private_alice) == (0, 0)
    assert ask(client, bob, private_alice) == {"following": False, "requested": True}  # may ask again


def test_a_private_accounts_profile_shows_but_its_posts_and_lists_are_403(client, private_alice, bob):
    profile = get(client, f"/api/users/{private_alice.id}", bob.token)
    assert profile.status_code == 200 and profile.json_body["post_count"] == 0
    for path in ("posts", "followers", "following"):
        for token in (bob.token, None):
            response = get(client, f"/api/users/{private_alice.id}/{path}", token)
            assert (response.status_code, response.json_body) == (403, PRIVATE), (path, token)
        assert get(client, f"/api/users/{private_alice.id}/{path}", private_alice.token).status_code == 200


def test_a_private_accounts_post_does_not_exist_for_strangers(client, private_alice, bob):
    post_id = create_post(client, private_alice.token, "mine")["id"]
    comment_id = post_json(client, f"/api/posts/{post_id}/comments", {"content": "note"},
                           private_alice.token).json_body["id"]
    attempts = [
        ("GET", f"/api/posts/{post_id}", None),
        ("GET", f"/api/posts/{post_id}/comments", None),
        ("GET", f"/api/posts/comments/{comment_id}/replies", None),
        ("POST", f"/api/posts/{post_id}/likes", None),
        ("POST", f"/api/posts/{post_id}/comments", {"content": "hi"}),
        ("POST", f"/api/posts/{post_id}/save", None),
    ]
    for method, path, body in attempts:
        if method == "GET":
            for token in (bob.token, None):
                response = get(client, path, token)
                assert (response.status_code, response.json_body) == (404, NO_POST), (path, token)
        else:
            response = post_json(client, path, body, bob.token)
            assert (response.status_code, response.json_body) == (404, NO_POST), path
    assert get(client, f"/api/posts/{post_id}", private_alice.token).status_code == 200


def test_an_approved_follower_sees_everything(client, private_alice, bob):
    post_id = create_post(client, private_alice.token, "mine")["id"]
    ask(client, bob, private_alice)
    approve(client, private_alice, bob)
    assert get(client, f"/api/posts/{post_id}", bob.token).status_code == 200
    assert get(client, f"/api/users/{private_alice.id}/posts", bob.token).status_code == 200
    assert post_json(client, f"/api/posts/{post_id}/likes", None, bob.token).status_code == 200
    assert post_json(client, f"/api/posts/{post_id}/comments", {"content": "hi"}, bob.token).status_code == 201


def test_going_private_keeps_the_followers_it_has(client, alice, bob):
    ask(client, bob, alice)
    go_private(client, alice)
    assert counts(client, alice) == (1, 0)
    assert get(client, f"/api/users/{alice.id}/posts", bob.token).status_code == 200


def test_going_public_approves_every_pending_request(client, pump, private_alice, bob):
    carol = register_and_login(client, "carol")
    ask(client, bob, private_alice)
    ask(client, carol, private_alice)
    go_private(client, private_alice, False)
    pump.drain()
    assert get_json(client, "/api/follow/requests", private_alice.token) == []
    assert counts(client, private_alice) == (2, 0)
    followers = get_json(client, f"/api/users/{private_alice.id}/followers")
    assert sorted(user["username"] for user in followers) == ["bob", "carol"]


def test_going_public_approves_many_requests_a_page_per_event(client, pump, private_alice, monkeypatch, published):
    monkeypatch.setattr(follow_requests, "APPROVALS_PER_EVENT", 2)
    for number in range(5):
        ask(client, register_and_login(client, f"fan{number}"), private_alice)
    go_private(client, private_alice, False)
    pump.drain()
    assert counts(client, private_alice) == (5, 0)
    assert get_json(client, "/api/follow/requests", private_alice.token) == []
    # 5 requests, 2 per event: the update, then follow-ups after each full page.
    follow_ups = [event for event in published if event.type == "follow.requests_pending"]
    assert len(follow_ups) == 2


def test_requests_and_approvals_notify_and_an_approval_is_not_a_follow_notification(client, pump, private_alice,
                                                                                     bob):
    ask(client, bob, private_alice)
    pump.drain()
    [request] = get_json(client, "/api/notifications", private_alice.token)
    assert (request["type"], request["actor_id"], request["reference_id"], request["message"]) == (
        "follow_request", bob.id, bob.id, "bob requested to follow you")
    approve(client, private_alice, bob)
    pump.drain()
    [accepted] = get_json(client, "/api/notifications", bob.token)
    assert (accepted["type"], accepted["actor_id"], accepted["reference_id"], accepted["message"]) == (
        "follow_accepted", private_alice.id, private_alice.id, "alice accepted your follow request")
    assert [n["type"] for n in get_json(client, "/api/notifications", private_alice.token)] == ["follow_request"]


def test_a_follow_racing_the_account_going_private_becomes_a_request(client, serialised_aws, alice, bob,
                                                                     monkeypatch):
    """The follow read the account as public; it went private before the
    follow committed. The follow's condition fails, and the retry asks."""
    landing_after_read(monkeypatch, follows, User, lambda: go_private(client, alice))
    assert ask(client, bob, alice) == {"following": False, "requested": True}
    assert counts(client, alice) == (0, 0)
    assert [user["username"] for user in get_json(client, "/api/follow/requests", alice.token)] == ["bob"]


def test_a_request_racing_the_account_going_public_becomes_a_follow(client, serialised_aws, private_alice, bob,
                                                                    monkeypatch):
    landing_after_read(monkeypatch, follows, User, lambda: go_private(client, private_alice, False))
    assert ask(client, bob, private_alice) == {"following": True, "requested": False}
    assert counts(client, private_alice) == (1, 0)


def test_an_approval_that_keeps_conflicting_is_a_503_and_changes_nothing(client, private_alice, bob):
    ask(client, bob, private_alice)
    with transactions_conflicting(times=10):
        response = approve(client, private_alice, bob)
    assert response.status_code == 503 and "please retry" in response.json_body["detail"]
    assert counts(client, private_alice) == (0, 0)
    assert len(get_json(client, "/api/follow/requests", private_alice.token)) == 1


def test_a_private_accounts_posts_are_in_nobodys_hashtag_pages_until_it_is_public_again(client, pump, alice, bob):
    mine = create_post(client, alice.token, "#sunset from alice")["id"]
    theirs = create_post(client, bob.token, "#sunset from bob")["id"]
    pump.drain()
    go_private(client, alice)
    for token in (None, bob.token, alice.token):
        page = get(client, "/api/search/posts/hashtag/sunset", token)
        assert [post["id"] for post in page.json_body] == [theirs], token
    go_private(client, alice, False)
    assert [p["id"] for p in get_json(client, "/api/search/posts/hashtag/sunset")] == [theirs, mine]


def test_a_private_account_can_still_be_found_messaged_and_mentioned(client, pump, private_alice, bob):
    pump.drain()  # the search consumer indexes her
    assert [user["id"] for user in get_json(client, "/api/search/users?q=alice")] == [private_alice.id]
    response = post_json(client, "/api/messages", {"receiver_id": private_alice.id, "content": "hi"}, bob.token)
    assert response.status_code == 201
    create_post(client, bob.token, "hello @alice")
    pump.drain()
    assert {n["type"] for n in get_json(client, "/api/notifications", private_alice.token)} == {"mention"}


def test_a_private_accounts_stories_reach_approved_followers_only(client, pump, private_alice, bob):
    carol = register_and_login(client, "carol")
    ask(client, bob, private_alice)
    approve(client, private_alice, bob)
    ask(client, carol, private_alice)  # pending
    story = post_json(client, "/api/stories", {"content": "today"}, private_alice.token).json_body
    pump.drain()
    assert story["id"] in [s["id"] for s in get_json(client, "/api/stories/feed", bob.token)]
    assert story["id"] not in [s["id"] for s in get_json(client, "/api/stories/feed", carol.token)]
