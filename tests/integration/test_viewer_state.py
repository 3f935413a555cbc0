"""Viewer state (CONTRACT.md): every PostResponse says whether the caller
likes it and has saved it. Public reads take an optional token; the flags
of a whole page cost one Query of the viewer's marks."""
import re

import pytest

import app  # noqa: F401  (registers the routes the document is made from)
from chalicelib.api import openapi
from chalicelib.ids import new_id
from chalicelib.models import Mark, Post
from chalicelib.queries import viewer as viewer_queries
from tests.helpers import (
    NOW,
    counting_dynamodb_calls,
    create_post,
    delete,
    follow,
    get,
    get_json,
    post_json,
    register_and_login,
    toggle_like,
)


def flags(post: dict) -> tuple[bool, bool]:
    return post["liked_by_me"], post["saved_by_me"]


@pytest.fixture
def post(client, bob):
    return create_post(client, bob.token, "#sunset over the bay")


def every_list_with(client, token, author, post_id, in_my_lists: bool = False) -> dict:
    """The post as each endpoint that returns posts shows it to token's
    holder; in_my_lists: also in their feed and their saved posts."""
    def the_post(posts):
        [found] = [item for item in posts if item["id"] == post_id]
        return found

    return {
        "post": get_json(client, f"/api/posts/{post_id}", token),
        "user's posts": the_post(get_json(client, f"/api/users/{author.id}/posts", token)),
        "hashtag": the_post(get_json(client, "/api/search/posts/hashtag/sunset", token)),
    } | ({
        "feed": the_post(get_json(client, "/api/feed", token)),
        "saved": the_post(get_json(client, "/api/saved", token)),
    } if in_my_lists else {})


def test_after_a_like_and_a_save_every_list_shows_both_flags(client, pump, alice, bob, post):
    follow(client, alice.token, bob.id)
    pump.drain()  # the feed and the hashtag index are filled by consumers
    toggle_like(client, alice.token, post["id"])
    post_json(client, f"/api/posts/{post['id']}/save", token=alice.token)
    shown_to_alice = every_list_with(client, alice.token, bob, post["id"], in_my_lists=True)
    assert len(shown_to_alice) == 5
    for where, shown in shown_to_alice.items():
        assert flags(shown) == (True, True), where


def test_another_viewer_and_nobody_see_false(client, pump, alice, bob, post):
    pump.drain()
    toggle_like(client, alice.token, post["id"])
    post_json(client, f"/api/posts/{post['id']}/save", token=alice.token)
    for viewer in (bob.token, None):
        for where, shown in every_list_with(client, viewer, bob, post["id"]).items():
            assert flags(shown) == (False, False), (viewer, where)


def test_unliking_and_unsaving_clear_the_flags(client, alice, post):
    toggle_like(client, alice.token, post["id"])
    toggle_like(client, alice.token, post["id"])
    post_json(client, f"/api/posts/{post['id']}/save", token=alice.token)
    delete(client, f"/api/posts/{post['id']}/save", alice.token)
    assert flags(get_json(client, f"/api/posts/{post['id']}", alice.token)) == (False, False)


def test_a_new_post_is_neither_liked_nor_saved(client, alice):
    assert flags(create_post(client, alice.token)) == (False, False)


# Reads that know nothing of who asks: a token there means nothing.
TOKENLESS_READS = {"/api/health", "/api/realtime"}


def optional_token_routes() -> list[tuple[str, str]]:
    """(method, path) of every operation whose document says a token is
    optional, with its path parameters filled in."""
    bearer = {openapi.SECURITY_SCHEME: []}
    return [(method.upper(), re.sub(r"{(\w+)}", lambda name: "1" if name[1].endswith("_id") else "sunset", path))
            for path, item in openapi.document()["paths"].items() for method, operation in item.items()
            if operation["security"] == [{}, bearer]]


def test_every_read_that_needs_no_token_takes_one_optionally():
    """So that no read can ignore a bad token again (the hashtag search once answered 200 to one)."""
    for path, method, op in openapi.operations():
        if method == "GET" and not op.auth and path not in TOKENLESS_READS:
            assert op.viewer, path


@pytest.mark.parametrize("method, path", optional_token_routes())
def test_an_optional_token_that_is_invalid_is_401_and_none_is_not(client, method, path):
    assert client.request(method, path, headers={"Authorization": "Bearer not.a.token"}).status_code == 401
    assert client.request(method, path + "?q=sun").status_code != 401


def seed_posts(author_id: int, count: int, viewer_id: int) -> None:
    posts = [Post(post_id=new_id(), author_id=author_id, author_username="bob", content="x", created_at=NOW)
             for _ in range(count)]
    with Post.batch_write() as batch:
        for item in posts:
            batch.save(item)
    with Mark.batch_write() as batch:  # the viewer likes every other one
        for item in posts[::2]:
            batch.save(Mark(viewer_id, item.post_id, like_id=new_id()))


def test_the_flags_of_a_page_cost_one_round_trip_for_5_or_100_posts(client):
    calls, shown = {}, {}
    for size in (5, 100):
        author, viewer = register_and_login(client), register_and_login(client)
        seed_posts(author.id, size, viewer.id)
        with counting_dynamodb_calls() as made:
            response = get(client, f"/api/users/{author.id}/posts?limit=100", viewer.token)
        calls[size], shown[size] = made, response.json_body
        assert len(response.json_body) == size
    # token, the author, the viewer's block item for them, the posts, the viewer's marks in their id range
    assert calls[5] == calls[100] == ["GetItem", "GetItem", "GetItem", "Query", "Query"]
    assert sum(post["liked_by_me"] for post in shown[100]) == 50


def test_a_viewer_who_marked_more_than_one_query_holds_gets_the_pages_marks_by_key(client, monkeypatch):
    """Past MARKS_PER_QUERY marks in the page's id range, the page's own keys
    are read instead: two round trips, and the flags still right."""
    monkeypatch.setattr(viewer_queries, "MARKS_PER_QUERY", 10)
    author, viewer = register_and_login(client), register_and_login(client)
    seed_posts(author.id, 40, viewer.id)
    with counting_dynamodb_calls() as made:
        page = get_json(client, f"/api/users/{author.id}/posts?limit=40", viewer.token)
    assert made == ["GetItem", "GetItem", "GetItem", "Query", "Query", "BatchGetItem"]
    assert sum(post["liked_by_me"] for post in page) == 20
