"""POST/GET /api/stories, GET /api/stories/feed, DELETE /api/stories/{id}:
stories live 24 hours, and reach followers through the feed consumer."""
from datetime import datetime, timedelta

import pytest

from chalicelib import events, ids
from chalicelib.consumers import feed as feed_consumer
from chalicelib.models import Story, StoryFeedEntry
from chalicelib.models.timelines import owner_author_key
from tests.helpers import (
    TOKEN_CHECK,
    create_story,
    cursor_pages,
    delete,
    event_of,
    follow,
    get,
    get_json,
    holders,
    post_json,
    unfollow,
)

HOUR_MS = 3600 * 1000


def delete_story(client, token: str | None, story_id):
    return delete(client, f"/api/stories/{story_id}", token)


def contents(client, path: str, token: str) -> list[str]:
    return [story["content"] for story in get_json(client, path, token)]


def mine(client, token: str) -> list[str]:
    return contents(client, "/api/stories", token)


def story_feed(client, token: str) -> list[str]:
    return contents(client, "/api/stories/feed", token)


@pytest.fixture
def later(monkeypatch):
    """later(hours): from now on the clock reads that many hours ahead."""
    real_now_ms = ids.now_ms

    def move(hours: float) -> None:
        monkeypatch.setattr(ids, "now_ms", lambda: real_now_ms() + int(hours * HOUR_MS))

    return move


def test_create_story_returns_it(client, alice):
    user, token = alice
    response = post_json(client, "/api/stories", {"content": "hello", "image_url": "https://x.test/s.png"}, token)
    assert response.status_code == 201
    body = response.json_body
    assert body == {
        "id": body["id"], "author_id": user["id"], "author_username": "alice",
        "image_url": "https://x.test/s.png", "media": None, "content": "hello", "created_at": body["created_at"],
    }
    assert 0 < body["id"] <= 2**53 - 1
    assert body["created_at"].endswith("+00:00")


def test_a_story_expires_24_hours_after_its_creation(client, alice):
    _, token = alice
    story = create_story(client, token, "x")
    created = datetime.fromisoformat(story["created_at"])
    assert Story.get(story["id"]).expires_at == (created + timedelta(hours=24)).replace(microsecond=0)
    [entry] = StoryFeedEntry.query(alice[0]["id"])
    assert entry.expires_at == Story.get(story["id"]).expires_at


@pytest.mark.parametrize("body, field", [
    ({}, "content, image_url or media_id"),
    ({"content": "   "}, "content, image_url or media_id"),
    ({"content": "", "image_url": None}, "content, image_url or media_id"),
    ({"image_url": "not a url"}, "image_url"),
    ({"content": "x" * 2201}, "content"),
])
def test_a_story_needs_content_or_an_image_and_sane_values(client, alice, body, field):
    _, token = alice
    response = post_json(client, "/api/stories", body, token)
    assert response.status_code == 422
    assert field in response.json_body["detail"]
    assert mine(client, token) == []


def test_an_image_only_story_is_fine(client, alice):
    story = create_story(client, alice[1], image_url="https://x.test/only.png")
    assert story["content"] is None and story["image_url"] == "https://x.test/only.png"


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/stories"), ("GET", "/api/stories"), ("GET", "/api/stories/feed"), ("DELETE", "/api/stories/1"),
])
def test_every_story_endpoint_needs_a_token(client, method, path):
    response = client.request(method, path, headers={"Content-Type": "application/json"}, body=b'{"content": "x"}')
    assert response.status_code == 401
    assert set(response.json_body) == {"detail"}


def test_my_stories_are_mine_only_newest_first(client, alice, bob):
    (_, alice_token), (_, bob_token) = alice, bob
    for number in range(3):
        create_story(client, alice_token, f"a{number}")
    create_story(client, bob_token, "b")
    assert mine(client, alice_token) == ["a2", "a1", "a0"]
    assert mine(client, bob_token) == ["b"]


def test_my_own_story_is_in_my_story_feed_at_once(client, alice):
    create_story(client, alice[1], "mine")
    assert story_feed(client, alice[1]) == ["mine"]


def test_a_followed_users_story_reaches_my_story_feed_once_the_consumer_ran(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    create_story(client, bob_token, "bob's")
    assert story_feed(client, alice_token) == []
    pump.drain()
    assert story_feed(client, alice_token) == ["bob's"]
    assert mine(client, alice_token) == []


def test_stories_of_users_i_do_not_follow_stay_out_of_my_story_feed(client, pump, alice, bob):
    (alice_user, alice_token), (_, bob_token) = alice, bob
    follow(client, bob_token, alice_user["id"])
    create_story(client, bob_token, "bob's")
    pump.drain()
    assert story_feed(client, alice_token) == []


def test_the_story_feed_mixes_own_and_followed_stories_newest_first(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    for number in range(4):
        create_story(client, bob_token if number % 2 else alice_token, f"s{number}")
    pump.drain()
    assert story_feed(client, alice_token) == ["s3", "s2", "s1", "s0"]


def test_following_backfills_active_stories_only(client, pump, alice, bob, later):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    create_story(client, bob_token, "old")
    later(20)
    pump.drain()
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    assert story_feed(client, alice_token) == ["old"]
    # Following again after the story expired brings nothing back.
    unfollow(client, alice_token, bob_user["id"])
    pump.drain()
    later(25)
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    assert StoryFeedEntry.count(alice_user["id"]) == 0


def test_unfollowing_removes_the_followees_stories(client, pump, alice, bob):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    create_story(client, bob_token, "bob's")
    create_story(client, alice_token, "alice's")
    pump.drain()
    unfollow(client, alice_token, bob_user["id"])
    pump.drain()
    assert story_feed(client, alice_token) == ["alice's"]
    assert list(StoryFeedEntry.by_owner_author.query(owner_author_key(alice_user["id"], bob_user["id"]))) == []


def test_stories_vanish_from_every_list_after_24_hours(client, pump, alice, bob, later):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    story = create_story(client, bob_token, "fleeting")
    pump.drain()
    later(23.9)
    assert mine(client, bob_token) == story_feed(client, alice_token) == ["fleeting"]
    later(24.01)
    assert mine(client, bob_token) == []
    assert story_feed(client, alice_token) == story_feed(client, bob_token) == []
    # Expired for deletion too, though TTL has not removed the item yet.
    assert Story.get(story["id"])
    response = delete_story(client, bob_token, story["id"])
    assert response.status_code == 404


def test_a_story_created_event_handled_after_expiry_fans_out_nothing(client, alice, bob, later):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    story = create_story(client, bob_token, "late")
    later(25)
    feed_consumer.add_story(event_of(events.StoryCreated, {"story_id": story["id"], "author_id": bob_user["id"]}))
    assert StoryFeedEntry.count(alice_user["id"]) == 0


def test_delete_story_is_204_and_removes_it_everywhere(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    story = create_story(client, bob_token, "regret")
    create_story(client, bob_token, "keeper")
    pump.drain()
    response = delete_story(client, bob_token, story["id"])
    assert response.status_code == 204
    assert response.body in (b"", "", None)
    # Gone at once from the lists, its feed entries once the consumer ran.
    assert mine(client, bob_token) == ["keeper"]
    assert story_feed(client, alice_token) == ["keeper"]
    pump.drain()
    assert holders(StoryFeedEntry, story["id"]) == set()
    assert story_feed(client, bob_token) == ["keeper"]


def test_deleting_someone_elses_story_is_403_and_keeps_it(client, alice, bob):
    (_, alice_token), (_, bob_token) = alice, bob
    story = create_story(client, bob_token, "bob's")
    response = delete_story(client, alice_token, story["id"])
    assert response.status_code == 403
    assert response.json_body == {"detail": "Not your story"}
    assert mine(client, bob_token) == ["bob's"]


@pytest.mark.parametrize("story_id", ["123456789", "abc", "0"])
def test_deleting_an_unknown_story_is_404(client, alice, story_id):
    response = delete_story(client, alice[1], story_id)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Story not found"}


def test_deleting_a_story_twice_is_404_the_second_time(client, alice):
    story = create_story(client, alice[1], "once")
    assert delete_story(client, alice[1], story["id"]).status_code == 204
    assert delete_story(client, alice[1], story["id"]).status_code == 404


@pytest.mark.parametrize("path", ["/api/stories", "/api/stories/feed"])
def test_story_lists_page_by_cursor_and_offset(client, alice, path):
    _, token = alice
    for number in range(5):
        create_story(client, token, f"s{number}")
    newest_first = [f"s{n}" for n in reversed(range(5))]
    seen = [story["content"] for page in cursor_pages(client, f"{path}?limit=2", token) for story in page]
    assert seen == newest_first
    assert contents(client, f"{path}?limit=2&offset=2", token) == newest_first[2:4]


@pytest.mark.parametrize("path", ["/api/stories", "/api/stories/feed"])
@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("cursor=x.y", "cursor")])
def test_bad_story_paging_is_422(client, alice, path, query, field):
    response = get(client, f"{path}?{query}", alice[1])
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


def test_story_created_twice_makes_one_entry_per_feed(client, alice, bob):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    story = create_story(client, bob_token, "dup")
    event = event_of(events.StoryCreated, {"story_id": story["id"], "author_id": bob_user["id"]})
    feed_consumer.add_story(event)
    feed_consumer.add_story(event)
    assert holders(StoryFeedEntry, story["id"]) == {alice_user["id"], bob_user["id"]}
    assert story_feed(client, alice_token) == ["dup"]


def test_creating_a_story_reads_the_author_only_once(client, alice, dynamodb_calls):
    _, token = alice
    dynamodb_calls.clear()
    create_story(client, token, "Today")
    # The token check (which reads the author), the write rate limit, one
    # TransactWrite with its event, the outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "TransactWriteItems", "DeleteItem"]
