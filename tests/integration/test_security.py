"""The holes of the security review (issue 30), one test each, kept closed.
Each test is named for what it proves and fails on the code before its fix."""
import re
import time

import jwt
import pytest

from app import app
from chalicelib import config, security
from chalicelib.api.schemas import MAX_ID
from chalicelib.consumers import feed as feed_consumer
from chalicelib.consumers import hashtags as hashtags_consumer
from chalicelib.events import UserUnfollowed
from chalicelib.models import FeedEntry, Follow, Hashtag
from infra import cloudformation
from tests.helpers import (
    calling_from,
    create_post,
    delete,
    event_of,
    get,
    get_json,
    holders,
    next_cursor,
    post_json,
    put_json,
    register_and_login,
    unique_name,
)
from tests.helpers import (
    login_attempt as attempt,
)

# --- 1. a stranger's wrong passwords do not lock the owner out -------------------------

def test_a_strangers_failed_logins_lock_neither_the_owners_login_elsewhere_nor_their_password_change(
        client, clock, monkeypatch):
    owner = register_and_login(client)
    calling_from(monkeypatch, "203.0.113.5")
    for _ in range(10):
        assert attempt(client, owner.user["email"], "wrong password").status_code == 401
    assert attempt(client, owner.user["email"], "wrong password").status_code == 429
    calling_from(monkeypatch, "198.51.100.7")
    assert attempt(client, owner.user["email"], "correct horse").status_code == 200
    response = put_json(client, "/api/auth/password",
                        {"current_password": "correct horse", "new_password": "battery staple"}, owner.token)
    assert response.status_code == 200, response.json_body


# --- 2. registration is limited per address, before the hash ----------------------------

def test_registrations_are_limited_per_address_before_any_password_is_hashed(client, clock, limits, monkeypatch):
    limits(REGISTRATIONS_PER_ADDRESS=3)
    hashed = []
    monkeypatch.setattr(security, "hash_password", lambda password: hashed.append(password) or "not-a-hash")
    calling_from(monkeypatch, "203.0.113.5")

    def register_one():
        name = unique_name("mass")
        return post_json(client, "/api/auth/register",
                         {"username": name, "email": f"{name}@example.com", "password": "correct horse"})

    for _ in range(3):
        assert register_one().status_code == 201
    response = register_one()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == 3600
    assert len(hashed) == 3
    calling_from(monkeypatch, "198.51.100.7")
    assert register_one().status_code == 201


# --- 3. a private account's posts leave strangers' saved lists --------------------------

def test_a_post_saved_while_public_leaves_a_strangers_saved_list_when_its_author_goes_private(client):
    bob, stranger, follower = (register_and_login(client) for _ in range(3))
    posts = [create_post(client, bob.token, f"bob {n}") for n in range(3)]
    mine = create_post(client, stranger.token, "the stranger's own")
    assert post_json(client, f"/api/follow/{bob.id}", None, follower.token).status_code == 200
    assert post_json(client, f"/api/posts/{mine['id']}/save", None, stranger.token).status_code == 200
    for person in (stranger, follower):
        for post in posts:
            assert post_json(client, f"/api/posts/{post['id']}/save", None, person.token).status_code == 200
    assert put_json(client, "/api/users/me", {"is_private": True}, bob.token).status_code == 200

    assert get(client, f"/api/posts/{posts[0]['id']}", stranger.token).status_code == 404
    assert [post["id"] for post in get_json(client, "/api/saved", stranger.token)] == [mine["id"]]
    # A short page still leads on to the rest, which holds nothing of Bob's either.
    first = get(client, "/api/saved?limit=2", stranger.token)
    assert first.json_body == []
    rest = get_json(client, f"/api/saved?limit=2&cursor={next_cursor(first)}", stranger.token)
    assert [post["id"] for post in rest] == [mine["id"]]
    # Bob's approved follower still sees them, and Bob's going public brings them back.
    assert len(get_json(client, "/api/saved", follower.token)) == 3
    assert put_json(client, "/api/users/me", {"is_private": False}, bob.token).status_code == 200
    assert len(get_json(client, "/api/saved", stranger.token)) == 4


# --- 5. follow toggling does not flood notifications -----------------------------------

def test_follow_and_request_toggling_leaves_at_most_one_notification_per_actor(client, pump):
    alice, bob, carol = (register_and_login(client) for _ in range(3))
    assert put_json(client, "/api/users/me", {"is_private": True}, carol.token).status_code == 200

    def notifications(person) -> list[tuple[str, int]]:
        return [(n["type"], n["actor_id"]) for n in get_json(client, "/api/notifications", person.token)]

    for _ in range(5):
        for account in (alice, carol):
            assert post_json(client, f"/api/follow/{account.id}", None, bob.token).status_code == 200
            pump.drain()
            assert delete(client, f"/api/follow/{account.id}", bob.token).status_code == 200
            pump.drain()
    assert notifications(alice) == [("follow", bob.id)]
    # Each withdrawn request took its unread notification away.
    assert notifications(carol) == []

    assert post_json(client, f"/api/follow/{carol.id}", None, bob.token).status_code == 200
    pump.drain()
    assert notifications(carol) == [("follow_request", bob.id)]
    assert delete(client, f"/api/follow/requests/{bob.id}", carol.token).status_code == 200
    pump.drain()
    assert notifications(carol) == []
    # A request read before it was withdrawn stays, and stays the only one.
    assert post_json(client, f"/api/follow/{carol.id}", None, bob.token).status_code == 200
    pump.drain()
    assert post_json(client, "/api/notifications/read-all", None, carol.token).status_code == 200
    assert delete(client, f"/api/follow/{carol.id}", bob.token).status_code == 200
    assert post_json(client, f"/api/follow/{carol.id}", None, bob.token).status_code == 200
    pump.drain()
    assert notifications(carol) == [("follow_request", bob.id)]


# --- also: a follower removed during a private account's fan-out keeps none of it -------

def test_a_follower_removed_while_the_fan_out_runs_keeps_no_entry_of_a_private_post(client, pump, monkeypatch):
    alice, bob, carol = (register_and_login(client) for _ in range(3))
    assert put_json(client, "/api/users/me", {"is_private": True}, alice.token).status_code == 200
    for follower in (bob, carol):
        assert post_json(client, f"/api/follow/{alice.id}", None, follower.token).status_code == 200
        assert post_json(client, f"/api/follow/requests/{follower.id}/approve", None, alice.token).status_code == 200
    pump.drain()
    read_followers = type(Follow.followers).query

    def followers_then_bob_leaves(self, hash_key, *args, **kwargs):
        follows = list(read_followers(self, hash_key, *args, **kwargs))
        if hash_key == alice.id and follows:
            monkeypatch.setattr(type(Follow.followers), "query", read_followers)
            # Bob's follow ends after the fan-out read him, and its end is
            # cleaned up before the fan-out writes his entry (here by hand:
            # nothing is left queued to clean up after it).
            ended = Follow.get(bob.id, alice.id)
            ended.delete()
            feed_consumer.drop_followee(event_of(UserUnfollowed, {
                "follower_id": bob.id, "followee_id": alice.id, "follow_id": ended.follow_id}))
        return iter(follows)

    monkeypatch.setattr(type(Follow.followers), "query", followers_then_bob_leaves)
    post = create_post(client, alice.token, "for my followers only")
    pump.drain()
    assert holders(FeedEntry, post["id"]) == {alice.id, carol.id}
    assert [p["id"] for p in get_json(client, "/api/feed", bob.token)] == []


# --- 6. an anonymous GET cannot ask for a 10,000-item offset ---------------------------

def test_an_offset_above_1000_is_422_naming_offset_and_the_stage_is_throttled(client, monkeypatch):
    alice = register_and_login(client)
    assert get(client, f"/api/users/{alice.user['id']}/followers?offset=1000").status_code == 200
    response = get(client, f"/api/users/{alice.user['id']}/followers?offset=1001&limit=100")
    assert response.status_code == 422
    assert "offset" in response.json_body["detail"]

    monkeypatch.setenv("API_THROTTLE_RATE", "50")
    monkeypatch.setenv("API_THROTTLE_BURST", "80")
    settings = cloudformation.function_wiring(app)[cloudformation.REST_API_ID]["Properties"]["MethodSettings"]
    assert settings == [{"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": 50.0,
                         "ThrottlingBurstLimit": 80}]


# --- also: ids beyond 2^53-1 are 4xx, never a DynamoDB error ---------------------------

def test_an_id_above_2_to_the_53_in_a_body_is_422_naming_it_and_in_a_path_404(client):
    alice = register_and_login(client)
    response = post_json(client, "/api/messages", {"receiver_id": 10**40, "content": "hi"}, alice.token)
    assert response.status_code == 422
    assert "receiver_id" in response.json_body["detail"]
    response = post_json(client, "/api/messages", {"receiver_id": MAX_ID + 1, "content": "hi"}, alice.token)
    assert response.status_code == 422
    assert get(client, f"/api/users/{MAX_ID + 1}").status_code == 404
    assert get(client, f"/api/posts/{10**40}").status_code == 404


# --- 9. /docs runs only the exact files it was reviewed with ---------------------------

def test_the_docs_page_loads_only_pinned_versions_checked_by_sri_hashes(client):
    html = get(client, "/docs").body.decode()
    external = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"https?://[^>]*>", html)
    assert len(external) == 2, html
    for tag in external:
        assert re.search(r"swagger-ui-dist@\d+\.\d+\.\d+/", tag), tag
        assert re.search(r'integrity="sha384-[A-Za-z0-9+/]{64}"', tag), tag
        assert 'crossorigin="anonymous"' in tag, tag


# --- 7. hashtag search names no tag that only private or deleted posts carry -------------

def test_hashtag_search_names_only_tags_some_post_visible_to_everyone_carries(client, pump, monkeypatch):
    # Several invocations per recount (raising=False: the test must fail for its own reason on code without it).
    monkeypatch.setattr(hashtags_consumer, "RECOUNT_CHUNK", 2, raising=False)
    alice, bob, carol = (register_and_login(client) for _ in range(3))
    assert put_json(client, "/api/users/me", {"is_private": True}, bob.token).status_code == 200
    for n in range(3):
        create_post(client, alice.token, f"#sunset number {n}")
    create_post(client, bob.token, "home at #maplestreet42 #sunset")
    carols = create_post(client, carol.token, "call me #carolsphone5550100")
    pump.drain()
    assert delete(client, f"/api/posts/{carols['id']}", carol.token).status_code == 204
    pump.drain()

    def found(prefix: str) -> list[str]:
        return [tag["name"] for tag in get_json(client, f"/api/search/hashtags?q={prefix}")]

    assert found("maple") == [] and found("carol") == []
    assert found("sun") == ["sunset"]
    # Alice going private leaves only Bob's private post on #sunset; going public brings it back.
    assert put_json(client, "/api/users/me", {"is_private": True}, alice.token).status_code == 200
    pump.drain()
    assert found("sun") == []
    assert put_json(client, "/api/users/me", {"is_private": False}, alice.token).status_code == 200
    pump.drain()
    assert found("sun") == ["sunset"]
    # Bob going public makes his tag findable, counted once however often the events come.
    assert put_json(client, "/api/users/me", {"is_private": False}, bob.token).status_code == 200
    pump.drain()
    assert found("maple") == ["maplestreet42"]
    assert Hashtag.get(Hashtag.bucket_for("sunset"), "sunset").public_count == 4


# --- 8. a Lambda without a deployed STAGE does not start with the local stage's secret ----

@pytest.mark.parametrize("environ", [{}, {"STAGE": ""}, {"STAGE": "local"}, {"STAGE": "local", "JWT_SECRET": "x" * 32}])
def test_on_lambda_a_missing_or_local_stage_refuses_to_start(environ):
    on_lambda = {"AWS_LAMBDA_FUNCTION_NAME": "instagram-prod-api_handler", **environ}
    with pytest.raises(config.ConfigurationError, match="STAGE"):
        config.Settings.load(on_lambda)
    with pytest.raises(config.ConfigurationError, match="STAGE"):
        config.stage(on_lambda)
    assert config.Settings.load({"AWS_LAMBDA_FUNCTION_NAME": "f", "STAGE": "prod", "JWT_SECRET": "x" * 32})


def test_a_token_signed_with_the_secret_itself_is_refused_keys_are_derived_per_use(client):
    alice = register_and_login(client)
    claims = {"sub": str(alice.id), "password_version": 0, "exp": int(time.time()) + 60}
    forged = jwt.encode(claims, "local-development-secret-not-for-production", algorithm="HS256")
    assert get(client, "/api/auth/me", forged).status_code == 401
    assert get(client, "/api/auth/me", alice.token).status_code == 200
