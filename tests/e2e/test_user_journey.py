"""Two people use the product end to end over HTTP, against `make run`.
Asynchronous effects (made by the consumers) are awaited by polling."""
import itertools
import os

import pytest

from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
_numbers = itertools.count()
TIMEOUT = 10


def sign_up(http, prefix: str):
    username = f"{prefix}{os.getpid()}j{next(_numbers)}"
    status, user = http.post("/api/auth/register", {
        "username": username, "email": f"{username}@example.com", "password": "correct horse"})
    assert status == 201, user
    status, body = http.post("/api/auth/login", {"email": f"{username}@example.com", "password": "correct horse"})
    assert status == 200, body
    return user, body["access_token"]


def eventually(http, path: str, token: str | None, predicate):
    """GETs path until predicate(body) holds; returns that body."""
    bodies = []

    def check():
        status, body = http.get(path, token)
        bodies.append(body)
        return status == 200 and predicate(body)

    wait_until(check, timeout=TIMEOUT)
    return bodies[-1]


def test_follow_post_like_save_comment_notify_feed_hashtags_messages_stories(local_stack):
    http = local_stack
    alice, alice_token = sign_up(http, "alice")
    bob, bob_token = sign_up(http, "bob")
    tag = f"sunset{os.getpid()}x{next(_numbers)}"

    assert http.post(f"/api/follow/{alice['id']}", token=bob_token) == (200, {"following": True, "requested": False})

    status, post = http.post("/api/posts", {"content": f"Golden hour #{tag}"}, alice_token)
    assert status == 201, post
    # The author sees it at once; the follower once the feed consumer ran.
    assert http.get("/api/feed", alice_token)[1][0]["id"] == post["id"]
    eventually(http, "/api/feed", bob_token, lambda feed: [p["id"] for p in feed] == [post["id"]])

    assert http.post(f"/api/posts/{post['id']}/likes", token=bob_token) == (200, {"liked": True, "like_count": 1})
    assert http.post(f"/api/posts/{post['id']}/save", token=bob_token) == (200, {"saved": True})
    # A feed page renders with bob's like and save at once; alice's shows neither.
    [seen] = http.get("/api/feed", bob_token)[1]
    assert (seen["liked_by_me"], seen["saved_by_me"], seen["like_count"]) == (True, True, 1)
    [own] = http.get("/api/feed", alice_token)[1]
    assert (own["liked_by_me"], own["saved_by_me"]) == (False, False)
    assert [saved["id"] for saved in http.get("/api/saved", bob_token)[1]] == [post["id"]]
    status, comment = http.post(f"/api/posts/{post['id']}/comments", {"content": "Lovely"}, bob_token)
    assert status == 201, comment
    assert http.get(f"/api/posts/{post['id']}")[1]["comment_count"] == 1

    notifications = eventually(http, "/api/notifications", alice_token, lambda items: len(items) == 3)
    assert sorted(n["type"] for n in notifications) == ["comment", "follow", "like"]
    assert all(n["actor_id"] == bob["id"] and not n["is_read"] for n in notifications)
    assert http.post("/api/notifications/read-all", token=alice_token) == (200, {"status": "ok"})
    assert all(n["is_read"] for n in http.get("/api/notifications", alice_token)[1])

    hashtags = eventually(http, f"/api/search/hashtags?q={tag[:8].upper()}", None,
                          lambda items: tag in [h["name"] for h in items])
    assert hashtags
    tagged = eventually(http, f"/api/search/posts/hashtag/{tag.upper()}", None, lambda items: len(items) == 1)
    assert tagged[0]["id"] == post["id"]

    status, message = http.post("/api/messages", {"receiver_id": alice["id"], "content": "Hi Alice"}, bob_token)
    assert status == 201, message
    status, conversations = http.get("/api/messages", alice_token)
    assert [c["other_user_id"] for c in conversations] == [bob["id"]]
    assert conversations[0]["last_message"]["is_read"] is False
    assert http.post(f"/api/messages/{bob['id']}/read", token=alice_token) == (200, {"status": "ok"})
    assert http.get(f"/api/messages/{alice['id']}", bob_token)[1][0]["is_read"] is True

    status, story = http.post("/api/stories", {"content": "Behind the scenes"}, alice_token)
    assert status == 201, story
    stories = eventually(http, "/api/stories/feed", bob_token, lambda items: [s["id"] for s in items] == [story["id"]])
    assert stories[0]["author_username"] == alice["username"]

    assert http.request("DELETE", f"/api/posts/{post['id']}", token=alice_token)[0] == 204
    eventually(http, "/api/feed", bob_token, lambda feed: feed == [])
    eventually(http, f"/api/search/posts/hashtag/{tag}", None, lambda items: items == [])


def test_changing_the_password_logs_out_every_other_session(local_stack):
    http = local_stack
    alice, phone_token = sign_up(http, "alice")
    status, laptop = http.post("/api/auth/login", {"email": alice["email"], "password": "correct horse"})
    assert status == 200, laptop

    status, body = http.request("PUT", "/api/auth/password",
                                {"current_password": "correct horse", "new_password": "battery staple"},
                                phone_token)
    assert status == 200, body
    assert http.get("/api/auth/me", body["access_token"])[1]["id"] == alice["id"]
    for old_token in (phone_token, laptop["access_token"]):
        assert http.get("/api/auth/me", old_token)[0] == 401
    assert http.post("/api/auth/login", {"email": alice["email"], "password": "correct horse"})[0] == 401
