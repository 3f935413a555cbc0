"""GET /api/users/{id}, PUT /api/users/me, GET /api/users/{id}/followers and
/following."""
import json

import pytest

from tests.helpers import (
    TOKEN_CHECK,
    auth_headers,
    create_post,
    cursor_pages,
    delete,
    follow,
    get,
    next_cursor,
    register,
    register_and_login,
    usernames,
)


def put_me(client, body, token: str | None = None, raw: bytes | None = None):
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    return client.put("/api/users/me", headers=headers, body=raw if raw is not None else json.dumps(body))


# --- profile ---------------------------------------------------------------

def test_profile_shows_the_public_fields_and_counters_never_the_email(client):
    user = register(client, "ada", full_name="Ada Lovelace")
    response = get(client, f"/api/users/{user['id']}")
    assert response.status_code == 200
    assert response.json_body == {
        "id": user["id"], "username": "ada", "full_name": "Ada Lovelace", "bio": None,
        "profile_image_url": None, "is_private": False, "post_count": 0, "follower_count": 0,
        "following_count": 0,
    }


def test_profile_counts_posts_followers_and_following_exactly(client):
    alice, alice_token = register_and_login(client)
    bob, bob_token = register_and_login(client)
    carol, carol_token = register_and_login(client)
    follow(client, alice_token, bob["id"])
    follow(client, carol_token, bob["id"])
    follow(client, bob_token, alice["id"])
    for text in ("one", "two"):
        create_post(client, bob_token, text)
    profile = get(client, f"/api/users/{bob['id']}").json_body
    assert (profile["post_count"], profile["follower_count"], profile["following_count"]) == (2, 2, 1)
    profile = get(client, f"/api/users/{alice['id']}").json_body
    assert (profile["post_count"], profile["follower_count"], profile["following_count"]) == (0, 1, 1)


def test_profile_is_one_getitem(client, dynamodb_calls):
    user = register(client)
    dynamodb_calls.clear()
    get(client, f"/api/users/{user['id']}")
    assert dynamodb_calls == ["GetItem"]


@pytest.mark.parametrize("user_id", ["123456789", "abc", "0", "-1", "1.5", str(2**53)])
def test_profile_of_an_unknown_or_malformed_id_is_404(client, user_id):
    response = get(client, f"/api/users/{user_id}")
    assert response.status_code == 404
    assert response.json_body == {"detail": "User not found"}


# --- PUT /api/users/me --------------------------------------------------------

def test_update_profile_sets_the_given_fields_and_returns_me_with_my_email(client):
    user, token = register_and_login(client, full_name="Old Name")
    response = put_me(client, {"full_name": "New Name", "bio": "hello", "profile_image_url": "https://x.test/me.png"},
                      token)
    assert response.status_code == 200
    assert response.json_body == {**user, "full_name": "New Name", "bio": "hello",
                                  "profile_image_url": "https://x.test/me.png"}
    assert response.json_body["email"] == user["email"]
    profile = get(client, f"/api/users/{user['id']}").json_body
    assert (profile["full_name"], profile["bio"]) == ("New Name", "hello")


def test_omitted_or_null_fields_stay_as_they_were(client):
    user, token = register_and_login(client, full_name="Keep Me")
    put_me(client, {"bio": "first", "profile_image_url": "https://x.test/a.png"}, token)
    response = put_me(client, {"bio": "second", "full_name": None}, token)
    assert response.status_code == 200
    body = response.json_body
    assert (body["full_name"], body["bio"], body["profile_image_url"]) == ("Keep Me", "second", "https://x.test/a.png")


def test_an_empty_update_changes_nothing_and_returns_me(client):
    user, token = register_and_login(client, full_name="Same")
    response = put_me(client, {}, token)
    assert response.status_code == 200
    assert response.json_body == user


def test_update_profile_is_one_write_and_one_read(client, dynamodb_calls):
    _, token = register_and_login(client)
    dynamodb_calls.clear()
    put_me(client, {"bio": "x"}, token)
    # The token check; the write rate limit; the update and its event; the outbox entry's cleanup;
    # the user read back.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "TransactWriteItems", "DeleteItem", "GetItem"]


def test_a_new_full_name_is_searchable_once_the_consumer_ran(client, pump):
    _, token = register_and_login(client, "renamed", full_name="Before")
    pump.drain()
    put_me(client, {"full_name": "Zanzibar"}, token)
    assert usernames(get(client, "/api/search/users?q=zanz")) == []
    pump.drain()
    assert usernames(get(client, "/api/search/users?q=zanz")) == ["renamed"]
    assert usernames(get(client, "/api/search/users?q=before")) == []


def test_update_profile_needs_a_token(client):
    response = put_me(client, {"bio": "x"})
    assert response.status_code == 401
    assert set(response.json_body) == {"detail"}


@pytest.mark.parametrize("body, field", [
    ({"full_name": "x" * 101}, "full_name"),
    ({"bio": "x" * 151}, "bio"),
    ({"profile_image_url": "not a url"}, "profile_image_url"),
    ({"profile_image_url": "ftp://x.test/a.png"}, "profile_image_url"),
    ({"bio": 5}, "bio"),
])
def test_invalid_profile_fields_are_422_and_change_nothing(client, body, field):
    user, token = register_and_login(client)
    response = put_me(client, body, token)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)
    assert get(client, f"/api/users/{user['id']}").json_body["bio"] is None


@pytest.mark.parametrize("raw", [b"{not json", b"[1]", b"null"])
def test_a_profile_body_that_is_not_a_json_object_is_a_4xx(client, raw):
    _, token = register_and_login(client)
    response = put_me(client, None, token, raw=raw)
    assert 400 <= response.status_code < 500
    assert set(response.json_body) == {"detail"}


# --- followers / following ----------------------------------------------------

def test_followers_and_following_are_newest_first_without_emails(client):
    star, star_token = register_and_login(client, "star")
    fans = [register_and_login(client, f"fan{n}") for n in range(3)]
    for _, fan_token in fans:
        follow(client, fan_token, star["id"])
    for fan, _ in fans:
        follow(client, star_token, fan["id"])
    followers = get(client, f"/api/users/{star['id']}/followers")
    assert usernames(followers) == ["fan2", "fan1", "fan0"]
    assert all(user["email"] is None for user in followers.json_body)
    following = get(client, f"/api/users/{star['id']}/following")
    assert usernames(following) == ["fan2", "fan1", "fan0"]
    assert all(user["email"] is None for user in following.json_body)
    assert usernames(get(client, f"/api/users/{fans[0][0]['id']}/following")) == ["star"]
    assert usernames(get(client, f"/api/users/{fans[0][0]['id']}/followers")) == ["star"]


def test_an_unfollowed_user_leaves_the_lists(client):
    alice, alice_token = register_and_login(client)
    bob = register(client)
    follow(client, alice_token, bob["id"])
    delete(client, f"/api/follow/{bob['id']}", alice_token)
    assert get(client, f"/api/users/{bob['id']}/followers").json_body == []
    assert get(client, f"/api/users/{alice['id']}/following").json_body == []


def test_a_user_with_no_followers_has_empty_lists(client):
    user = register(client)
    assert get(client, f"/api/users/{user['id']}/followers").json_body == []
    assert get(client, f"/api/users/{user['id']}/following").json_body == []


@pytest.mark.parametrize("which", ["followers", "following"])
def test_follow_lists_page_by_cursor_and_by_offset(client, which):
    hub, hub_token = register_and_login(client)
    others = [register_and_login(client, f"{which}p{n}") for n in range(5)]
    for other, other_token in others:
        follow(client, other_token, hub["id"]) if which == "followers" else follow(client, hub_token, other["id"])
    newest_first = [f"{which}p{n}" for n in reversed(range(5))]
    pages = cursor_pages(client, f"/api/users/{hub['id']}/{which}?limit=2")
    seen = [user["username"] for page in pages for user in page]
    assert seen == newest_first
    assert usernames(get(client, f"/api/users/{hub['id']}/{which}?limit=2&offset=2")) == newest_first[2:4]
    last_page = get(client, f"/api/users/{hub['id']}/{which}?limit=2&offset=4")
    assert usernames(last_page) == newest_first[4:] and next_cursor(last_page) is None


@pytest.mark.parametrize("which", ["followers", "following"])
def test_follow_lists_of_an_unknown_user_are_404(client, which):
    for user_id in ("123456789", "abc"):
        response = get(client, f"/api/users/{user_id}/{which}")
        assert response.status_code == 404
        assert response.json_body == {"detail": "User not found"}


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                                          ("cursor=forged.cursor", "cursor")])
def test_bad_paging_of_follow_lists_is_422(client, query, field):
    user = register(client)
    response = get(client, f"/api/users/{user['id']}/followers?{query}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


def test_a_cursor_of_one_follow_list_is_refused_by_another(client):
    hub, _ = register_and_login(client)
    for _ in range(2):
        _, token = register_and_login(client)
        follow(client, token, hub["id"])
    cursor = next_cursor(get(client, f"/api/users/{hub['id']}/followers?limit=1"))
    response = get(client, f"/api/users/{hub['id']}/following?cursor={cursor}")
    assert response.status_code == 422


def test_follow_lists_cost_three_round_trips(client, dynamodb_calls):
    hub, _ = register_and_login(client)
    _, token = register_and_login(client)
    follow(client, token, hub["id"])
    dynamodb_calls.clear()
    get(client, f"/api/users/{hub['id']}/followers")
    assert dynamodb_calls == ["GetItem", "Query", "BatchGetItem"]
