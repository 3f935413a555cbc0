"""Saved posts: POST/DELETE /api/posts/{post_id}/save and GET /api/saved
(CONTRACT.md, "Saved posts"), stored as the viewer's mark on the post."""
import pytest

from chalicelib import events
from chalicelib.models import Mark
from tests.helpers import (
    TOKEN_CHECK,
    counting_dynamodb_calls,
    create_post,
    cursor_pages,
    delete,
    delete_post,
    get,
    get_json,
    post_json,
    register_and_login,
)


def save(client, token, post_id):
    return post_json(client, f"/api/posts/{post_id}/save", token=token)


def unsave(client, token, post_id):
    return delete(client, f"/api/posts/{post_id}/save", token)


def saved(client, token) -> list[int]:
    return [post["id"] for post in get_json(client, "/api/saved", token)]


@pytest.fixture
def post(client, bob):
    return create_post(client, bob.token, "Worth keeping")


def test_saving_a_post_lists_it_and_says_so(client, alice, post):
    response = save(client, alice.token, post["id"])
    assert response.status_code == 200 and response.json_body == {"saved": True}
    [listed] = get_json(client, "/api/saved", alice.token)
    assert listed["id"] == post["id"] and listed["saved_by_me"] is True and listed["liked_by_me"] is False


def test_saving_twice_is_the_same_as_once_and_keeps_its_place(client, alice, bob):
    first, second = create_post(client, bob.token, "one"), create_post(client, bob.token, "two")
    save(client, alice.token, first["id"])
    save(client, alice.token, second["id"])
    again = save(client, alice.token, first["id"])
    assert again.status_code == 200 and again.json_body == {"saved": True}
    assert saved(client, alice.token) == [second["id"], first["id"]]


def test_saved_posts_come_most_recently_saved_first_not_newest_first(client, alice, bob):
    older, newer = create_post(client, bob.token, "older"), create_post(client, bob.token, "newer")
    save(client, alice.token, newer["id"])
    save(client, alice.token, older["id"])
    assert saved(client, alice.token) == [older["id"], newer["id"]]


def test_unsaving_takes_it_out_and_again_is_the_same(client, alice, post):
    save(client, alice.token, post["id"])
    for _ in range(2):
        response = unsave(client, alice.token, post["id"])
        assert response.status_code == 200 and response.json_body == {"saved": False}
    assert saved(client, alice.token) == []


def test_saved_posts_are_private_to_their_owner(client, alice, bob, post):
    save(client, alice.token, post["id"])
    assert saved(client, bob.token) == []
    assert get(client, "/api/saved").status_code == 401


@pytest.mark.parametrize("post_id", ["999999999", "abc", "0"])
def test_saving_an_unknown_post_is_404_and_saves_nothing(client, alice, post_id):
    response = save(client, alice.token, post_id)
    assert response.status_code == 404 and response.json_body == {"detail": "Post not found"}
    assert saved(client, alice.token) == []


def test_saving_needs_a_token(client, post):
    assert post_json(client, f"/api/posts/{post['id']}/save").status_code == 401
    assert delete(client, f"/api/posts/{post['id']}/save").status_code == 401


def test_a_deleted_post_leaves_the_list_at_once_and_storage_through_the_consumer(client, pump, alice, bob, post):
    save(client, alice.token, post["id"])
    delete_post(client, bob.token, post["id"])
    assert saved(client, alice.token) == []
    assert list(Mark.by_post.query(post["id"])) != []
    pump.drain()
    assert list(Mark.by_post.query(post["id"])) == []


def test_saving_a_deleted_post_is_404(client, alice, bob, post):
    delete_post(client, bob.token, post["id"])
    assert save(client, alice.token, post["id"]).status_code == 404


def test_saving_publishes_post_saved_and_unsaving_post_unsaved_once_each(client, alice, post, published):
    save(client, alice.token, post["id"])
    save(client, alice.token, post["id"])
    unsave(client, alice.token, post["id"])
    unsave(client, alice.token, post["id"])
    mine = [event for event in published if event.type in (events.PostSaved.type, events.PostUnsaved.type)]
    assert [event.type for event in mine] == [events.PostSaved.type, events.PostUnsaved.type]
    assert mine[0].payload.post_id == post["id"] and mine[0].payload.user_id == alice.id


def test_the_saved_list_pages_with_a_cursor(client, alice, bob):
    posts = [create_post(client, bob.token, f"p{number}") for number in range(5)]
    for post in posts:
        save(client, alice.token, post["id"])
    pages = cursor_pages(client, "/api/saved?limit=2", alice.token)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [post["id"] for page in pages for post in page] == [post["id"] for post in reversed(posts)]


def test_each_save_endpoint_costs_the_round_trips_of_the_data_model(client, alice, post):
    with counting_dynamodb_calls() as calls:
        save(client, alice.token, post["id"])
    # token, write limit, the post, the saver's block item for its author, its author's privacy,
    # the transaction (post check, mark, outbox), the outbox entry's cleanup
    assert calls == [TOKEN_CHECK, "UpdateItem", "GetItem", "GetItem", "GetItem", "TransactWriteItems",
                     "DeleteItem"]
    with counting_dynamodb_calls() as calls:
        saved(client, alice.token)
    # The marks the Query reads carry the flags: no second read of them; then
    # the posts, their authors (none private: no read of follows), and the
    # owner's block items for them.
    assert calls == [TOKEN_CHECK, "Query", "BatchGetItem", "BatchGetItem", "BatchGetItem"]


def test_a_second_user_can_save_what_the_first_saved(client, alice, post):
    carol = register_and_login(client, "carol")
    save(client, alice.token, post["id"])
    save(client, carol.token, post["id"])
    assert saved(client, alice.token) == saved(client, carol.token) == [post["id"]]
