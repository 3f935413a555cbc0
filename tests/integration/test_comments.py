"""POST and GET /api/posts/{post_id}/comments, DELETE /api/posts/comments/{id}."""
import pytest

from chalicelib import events
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


def comment(client, post_id, token, content="Lovely"):
    return post_json(client, f"/api/posts/{post_id}/comments", {"content": content}, token)


def comment_count(client, post_id):
    return get(client, f"/api/posts/{post_id}").json_body["comment_count"]


@pytest.fixture
def author(client):
    return register_and_login(client)


@pytest.fixture
def post(client, author):
    return create_post(client, author[1])


def test_add_comment_returns_it_and_counts_it_on_the_post(client, post):
    user, token = register_and_login(client)
    response = comment(client, post["id"], token, "Lovely light")
    assert response.status_code == 201
    body = response.json_body
    assert body["post_id"] == post["id"]
    assert body["author_id"] == user["id"]
    assert body["author_username"] == user["username"]
    assert body["content"] == "Lovely light"
    assert isinstance(body["id"], int) and 0 < body["id"] <= 2**53 - 1
    assert body["created_at"].endswith("+00:00")
    assert comment_count(client, post["id"]) == 1


def test_adding_a_comment_publishes_comment_added_naming_the_post_author(client, author, post, published):
    user, token = register_and_login(client)
    added = comment(client, post["id"], token).json_body
    [event] = [e for e in published if e.type == events.CommentAdded.type]
    assert event.data == {"comment_id": added["id"], "post_id": post["id"],
                          "post_author_id": author[0]["id"], "author_id": user["id"]}


def test_comments_are_listed_newest_first_for_anyone(client, post):
    _, alice = register_and_login(client)
    _, bob = register_and_login(client)
    first = comment(client, post["id"], alice, "first").json_body
    second = comment(client, post["id"], bob, "second").json_body
    response = get(client, f"/api/posts/{post['id']}/comments")
    assert response.status_code == 200
    assert response.json_body == [second, first]
    assert next_cursor(response) is None


def test_comments_of_one_post_do_not_show_on_or_count_for_another(client, author, post):
    other = create_post(client, author[1])
    _, token = register_and_login(client)
    comment(client, post["id"], token)
    assert get(client, f"/api/posts/{other['id']}/comments").json_body == []
    assert comment_count(client, other["id"]) == 0


@pytest.mark.parametrize("body, field", [
    ({}, "content"),
    ({"content": ""}, "content"),
    ({"content": "  \n "}, "content"),
    ({"content": "x" * 2201}, "content"),
    ({"content": None}, "content"),
    ({"content": 7}, "content"),
])
def test_an_invalid_comment_is_422_naming_content_and_adds_nothing(client, post, body, field):
    _, token = register_and_login(client)
    response = post_json(client, f"/api/posts/{post['id']}/comments", body, token)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)
    assert comment_count(client, post["id"]) == 0
    assert get(client, f"/api/posts/{post['id']}/comments").json_body == []


def test_a_comment_of_exactly_2200_characters_is_fine(client, post):
    _, token = register_and_login(client)
    assert comment(client, post["id"], token, "c" * 2200).status_code == 201


@pytest.mark.parametrize("post_id", ["999999", "abc", "0"])
def test_commenting_on_or_listing_an_unknown_post_is_404(client, post_id):
    _, token = register_and_login(client)
    for response in (comment(client, post_id, token), get(client, f"/api/posts/{post_id}/comments")):
        assert response.status_code == 404
        assert response.json_body == {"detail": "Post not found"}


def test_a_deleted_post_cannot_be_commented_on_nor_its_comments_listed(client, author, post):
    _, token = register_and_login(client)
    comment(client, post["id"], token)
    assert delete(client, f"/api/posts/{post['id']}", author[1]).status_code == 204
    assert comment(client, post["id"], token).status_code == 404
    assert get(client, f"/api/posts/{post['id']}/comments").status_code == 404


def test_commenting_needs_a_token(client, post):
    response = post_json(client, f"/api/posts/{post['id']}/comments", {"content": "hi"})
    assert response.status_code == 401
    assert comment_count(client, post["id"]) == 0


def test_the_comment_author_may_delete_it(client, post, published):
    user, token = register_and_login(client)
    added = comment(client, post["id"], token).json_body
    response = delete(client, f"/api/posts/comments/{added['id']}", token)
    assert response.status_code == 204
    assert response.body == b""
    assert get(client, f"/api/posts/{post['id']}/comments").json_body == []
    assert comment_count(client, post["id"]) == 0
    [event] = [e for e in published if e.type == events.CommentDeleted.type]
    assert event.data == {"comment_id": added["id"], "post_id": post["id"], "author_id": user["id"]}


def test_the_post_author_may_delete_any_comment_on_their_post(client, author, post):
    _, token = register_and_login(client)
    added = comment(client, post["id"], token).json_body
    assert delete(client, f"/api/posts/comments/{added['id']}", author[1]).status_code == 204
    assert comment_count(client, post["id"]) == 0


def test_nobody_else_may_delete_a_comment(client, post):
    _, commenter = register_and_login(client)
    _, stranger = register_and_login(client)
    added = comment(client, post["id"], commenter).json_body
    response = delete(client, f"/api/posts/comments/{added['id']}", stranger)
    assert response.status_code == 403
    assert response.json_body == {"detail": "Not your comment"}
    assert comment_count(client, post["id"]) == 1
    assert [c["id"] for c in get(client, f"/api/posts/{post['id']}/comments").json_body] == [added["id"]]


def test_deleting_one_comment_leaves_the_others_and_the_count_exact(client, post):
    _, alice = register_and_login(client)
    _, bob = register_and_login(client)
    alices = comment(client, post["id"], alice, "alice's").json_body
    bobs = comment(client, post["id"], bob, "bob's").json_body
    comment(client, post["id"], alice, "alice again")
    assert comment_count(client, post["id"]) == 3
    delete(client, f"/api/posts/comments/{alices['id']}", alice)
    assert comment_count(client, post["id"]) == 2
    listed = [c["id"] for c in get(client, f"/api/posts/{post['id']}/comments").json_body]
    assert alices["id"] not in listed and bobs["id"] in listed


@pytest.mark.parametrize("comment_id", ["999999", "abc", "0"])
def test_deleting_an_unknown_comment_is_404(client, comment_id):
    _, token = register_and_login(client)
    response = delete(client, f"/api/posts/comments/{comment_id}", token)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Comment not found"}


def test_deleting_a_comment_twice_is_404_and_counts_once(client, post):
    _, token = register_and_login(client)
    comment(client, post["id"], token, "stays")
    added = comment(client, post["id"], token).json_body
    assert delete(client, f"/api/posts/comments/{added['id']}", token).status_code == 204
    assert delete(client, f"/api/posts/comments/{added['id']}", token).status_code == 404
    assert comment_count(client, post["id"]) == 1


def test_deleting_a_comment_needs_a_token(client, post):
    _, token = register_and_login(client)
    added = comment(client, post["id"], token).json_body
    assert delete(client, f"/api/posts/comments/{added['id']}").status_code == 401
    assert comment_count(client, post["id"]) == 1


def test_a_commenter_may_still_delete_their_comment_on_a_deleted_post(client, author, post):
    _, token = register_and_login(client)
    added = comment(client, post["id"], token).json_body
    delete(client, f"/api/posts/{post['id']}", author[1])
    assert delete(client, f"/api/posts/comments/{added['id']}", token).status_code == 204


def test_comments_page_by_cursor_without_repeats_or_gaps(client, post):
    _, token = register_and_login(client)
    ids = [comment(client, post["id"], token, f"comment {n}").json_body["id"] for n in range(7)]
    pages = cursor_pages(client, f"/api/posts/{post['id']}/comments?limit=3")
    assert all(len(page) <= 3 for page in pages)
    seen = [c["id"] for page in pages for c in page]
    assert seen == list(reversed(ids))


def test_comments_page_by_offset(client, post):
    _, token = register_and_login(client)
    ids = [comment(client, post["id"], token, f"comment {n}").json_body["id"] for n in range(5)]
    response = get(client, f"/api/posts/{post['id']}/comments?limit=2&offset=1")
    assert [c["id"] for c in response.json_body] == [ids[3], ids[2]]


def test_comments_default_to_50_a_page(client, post):
    _, token = register_and_login(client)
    for n in range(51):
        comment(client, post["id"], token, f"comment {n}")
    response = get(client, f"/api/posts/{post['id']}/comments")
    assert len(response.json_body) == 50
    assert next_cursor(response)
    assert len(get(client, f"/api/posts/{post['id']}/comments?cursor={next_cursor(response)}").json_body) == 1


def test_a_cursor_for_another_posts_comments_is_422(client, author, post):
    other = create_post(client, author[1])
    _, token = register_and_login(client)
    for n in range(2):
        comment(client, post["id"], token, f"comment {n}")
    cursor = next_cursor(get(client, f"/api/posts/{post['id']}/comments?limit=1"))
    response = get(client, f"/api/posts/{other['id']}/comments?cursor={cursor}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("cursor")


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=x", "offset")])
def test_bad_paging_of_comments_is_422(client, post, query, field):
    response = get(client, f"/api/posts/{post['id']}/comments?{query}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


def test_adding_a_comment_reads_the_author_only_once(client, alice, dynamodb_calls):
    _, token = alice
    post = create_post(client, token)
    dynamodb_calls.clear()
    assert post_json(client, f"/api/posts/{post['id']}/comments", {"content": "Lovely"}, token).status_code == 201
    # The token check (which reads the author), the write rate limit, the post
    # (its author goes in the event), one TransactWrite, the outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "GetItem", "TransactWriteItems", "DeleteItem"]
