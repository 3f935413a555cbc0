"""POST /api/posts, GET and DELETE /api/posts/{id}, GET /api/users/{id}/posts."""
import pytest

from chalicelib import events
from chalicelib.models import FeedEntry, User
from tests.helpers import (
    TOKEN_CHECK,
    create_post,
    cursor_pages,
    delete,
    get,
    next_cursor,
    post_json,
    register_and_login,
)


def post_count(user_id):
    return User.get(user_id).post_count


def test_create_post_returns_the_post_with_its_author_and_zero_counts(client):
    user, token = register_and_login(client)
    response = post_json(client, "/api/posts", {"content": "Golden hour", "image_url": "https://img.example/1.jpg"},
                         token)
    assert response.status_code == 201
    body = response.json_body
    assert body["author_id"] == user["id"]
    assert body["author_username"] == user["username"]
    assert body["content"] == "Golden hour"
    assert body["image_url"] == "https://img.example/1.jpg"
    assert body["like_count"] == 0 and body["comment_count"] == 0
    assert isinstance(body["id"], int) and 0 < body["id"] <= 2**53 - 1
    assert body["created_at"].endswith("+00:00")


def test_a_post_may_have_only_an_image_or_only_content(client):
    _, token = register_and_login(client)
    assert create_post(client, token, content=None, image_url="https://img.example/2.jpg")["content"] is None
    assert create_post(client, token, content="words only")["image_url"] is None


def test_creating_a_post_counts_it_on_the_author_and_puts_it_in_their_own_feed_at_once(client):
    user, token = register_and_login(client)
    post = create_post(client, token)
    create_post(client, token)
    assert post_count(user["id"]) == 2
    assert get(client, f"/api/users/{user['id']}").json_body["post_count"] == 2
    entry = FeedEntry.get(user["id"], post["id"])  # no consumer has run yet
    assert entry.author_id == user["id"]


def test_creating_a_post_publishes_post_created(client, published):
    user, token = register_and_login(client)
    post = create_post(client, token)
    [event] = [e for e in published if e.type == events.PostCreated.type]
    assert event.data == {"post_id": post["id"], "author_id": user["id"], "media_ids": [], "hashtags": [],
                          "mentions": []}


def test_creating_a_post_needs_a_token(client):
    response = post_json(client, "/api/posts", {"content": "anonymous"})
    assert response.status_code == 401


@pytest.mark.parametrize("body, field", [
    ({}, "content, image_url or media_ids"),
    ({"content": "   "}, "content, image_url or media_ids"),
    ({"content": "", "image_url": None}, "content, image_url or media_ids"),
    ({"content": "x" * 2201}, "content"),
    ({"content": 5}, "content"),
    ({"image_url": "not a url"}, "image_url"),
    ({"content": " ".join(f"#tag{n}" for n in range(31))}, "content"),
    ({"content": "#" + "a" * 101}, "content"),
])
def test_an_invalid_post_is_422_naming_the_field_and_creates_nothing(client, body, field):
    user, token = register_and_login(client)
    response = post_json(client, "/api/posts", body, token)
    assert response.status_code == 422
    assert field in response.json_body["detail"]
    assert post_count(user["id"]) == 0
    assert get(client, f"/api/users/{user['id']}/posts").json_body == []


def test_thirty_hashtags_and_repeated_ones_are_fine(client):
    _, token = register_and_login(client)
    create_post(client, token, " ".join(f"#tag{n}" for n in range(30)) + " #TAG0 #tag1")


def test_content_of_exactly_2200_characters_is_fine(client):
    _, token = register_and_login(client)
    assert len(create_post(client, token, "y" * 2200)["content"]) == 2200


def test_get_post_returns_it_to_anyone(client):
    _, token = register_and_login(client)
    post = create_post(client, token)
    response = get(client, f"/api/posts/{post['id']}")
    assert response.status_code == 200
    assert response.json_body == post


@pytest.mark.parametrize("post_id", ["999999", "abc", "0", "-1", "1.5", str(2**53)])
def test_get_an_unknown_or_malformed_post_id_is_404(client, post_id):
    response = get(client, f"/api/posts/{post_id}")
    assert response.status_code == 404
    assert response.json_body == {"detail": "Post not found"}


def test_delete_post_is_204_with_an_empty_body_and_the_post_is_gone(client):
    user, token = register_and_login(client)
    post = create_post(client, token)
    response = delete(client, f"/api/posts/{post['id']}", token)
    assert response.status_code == 204
    assert response.body == b""
    assert get(client, f"/api/posts/{post['id']}").status_code == 404
    assert post_count(user["id"]) == 0
    assert get(client, f"/api/users/{user['id']}/posts").json_body == []


def test_deleting_a_post_publishes_post_deleted_with_its_hashtags(client, published):
    user, token = register_and_login(client)
    post = create_post(client, token, "#Sea and #sky")
    delete(client, f"/api/posts/{post['id']}", token)
    [event] = [e for e in published if e.type == events.PostDeleted.type]
    assert event.data == {"post_id": post["id"], "author_id": user["id"], "hashtags": ["sea", "sky"], "media_ids": []}


def test_only_the_author_may_delete_a_post(client):
    author, author_token = register_and_login(client)
    _, other_token = register_and_login(client)
    post = create_post(client, author_token)
    response = delete(client, f"/api/posts/{post['id']}", other_token)
    assert response.status_code == 403
    assert response.json_body == {"detail": "Not your post"}
    assert get(client, f"/api/posts/{post['id']}").status_code == 200
    assert post_count(author["id"]) == 1


def test_deleting_an_unknown_or_already_deleted_post_is_404(client):
    user, token = register_and_login(client)
    post = create_post(client, token)
    assert delete(client, f"/api/posts/{post['id']}", token).status_code == 204
    response = delete(client, f"/api/posts/{post['id']}", token)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Post not found"}
    assert delete(client, "/api/posts/abc", token).status_code == 404
    assert post_count(user["id"]) == 0


def test_deleting_a_post_needs_a_token(client):
    _, token = register_and_login(client)
    post = create_post(client, token)
    assert delete(client, f"/api/posts/{post['id']}").status_code == 401
    assert get(client, f"/api/posts/{post['id']}").status_code == 200


def test_user_posts_are_newest_first_and_only_theirs(client):
    user, token = register_and_login(client)
    _, other_token = register_and_login(client)
    first = create_post(client, token, "first")
    create_post(client, other_token, "someone else's")
    second = create_post(client, token, "second")
    response = get(client, f"/api/users/{user['id']}/posts")
    assert response.status_code == 200
    assert [p["id"] for p in response.json_body] == [second["id"], first["id"]]
    assert next_cursor(response) is None


def test_user_posts_page_by_cursor_without_repeats_or_gaps(client):
    user, token = register_and_login(client)
    ids = [create_post(client, token, f"post {n}")["id"] for n in range(7)]
    pages = cursor_pages(client, f"/api/users/{user['id']}/posts?limit=3")
    assert all(len(page) <= 3 for page in pages)
    seen = [p["id"] for page in pages for p in page]
    assert seen == list(reversed(ids))


def test_user_posts_page_by_offset(client):
    user, token = register_and_login(client)
    ids = [create_post(client, token, f"post {n}")["id"] for n in range(5)]
    response = get(client, f"/api/users/{user['id']}/posts?limit=2&offset=2")
    assert [p["id"] for p in response.json_body] == [ids[2], ids[1]]


def test_user_posts_default_to_20_a_page(client):
    user, token = register_and_login(client)
    for n in range(21):
        create_post(client, token, f"post {n}")
    response = get(client, f"/api/users/{user['id']}/posts")
    assert len(response.json_body) == 20
    assert next_cursor(response)


def test_a_cursor_for_another_users_posts_is_422(client):
    user, token = register_and_login(client)
    other, _ = register_and_login(client)
    for n in range(2):
        create_post(client, token, f"post {n}")
    cursor = next_cursor(get(client, f"/api/users/{user['id']}/posts?limit=1"))
    response = get(client, f"/api/users/{other['id']}/posts?cursor={cursor}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("cursor")


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                                          ("cursor=garbage", "cursor")])
def test_bad_paging_of_user_posts_is_422(client, query, field):
    user, _ = register_and_login(client)
    response = get(client, f"/api/users/{user['id']}/posts?{query}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


@pytest.mark.parametrize("user_id", ["999999", "abc", "0"])
def test_posts_of_an_unknown_user_are_404(client, user_id):
    response = get(client, f"/api/users/{user_id}/posts")
    assert response.status_code == 404
    assert response.json_body == {"detail": "User not found"}


def test_a_user_without_posts_has_an_empty_list(client):
    user, _ = register_and_login(client)
    response = get(client, f"/api/users/{user['id']}/posts")
    assert response.status_code == 200
    assert response.json_body == []


def test_creating_a_post_reads_the_author_only_once(client, alice, dynamodb_calls):
    _, token = alice
    dynamodb_calls.clear()
    create_post(client, token, "x")
    # The token check (which reads the author), the write rate limit, one
    # TransactWrite with its event, the outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "TransactWriteItems", "DeleteItem"]
