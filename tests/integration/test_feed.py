"""GET /api/feed and the feed consumer: fan-out on write, backfill on follow,
removal on unfollow and on post deletion."""
import pytest

from chalicelib import events
from chalicelib.consumers import feed as feed_consumer
from chalicelib.ids import new_id
from chalicelib.models import FeedEntry, Follow, Post
from chalicelib.models.timelines import owner_author_key
from chalicelib.publisher import publish
from tests.helpers import (
    TOKEN_CHECK,
    counting_dynamodb_calls,
    create_post,
    cursor_pages,
    delete_post,
    event_of,
    follow,
    get,
    get_json,
    next_cursor,
    unfollow,
)
from tests.helpers import holders as timeline_holders


def feed(client, token: str, query: str = "") -> list[str]:
    return [post["content"] for post in get_json(client, f"/api/feed?{query}", token)]


def holders(post_id: int) -> set[int]:
    return timeline_holders(FeedEntry, post_id)


def test_my_own_post_is_in_my_feed_at_once(client, alice):
    _, token = alice
    post = create_post(client, token, "mine")
    response = get(client, "/api/feed", token)
    assert response.status_code == 200
    assert response.json_body == [post]


def test_a_followed_users_post_reaches_my_feed_once_the_consumer_ran(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    create_post(client, bob_token, "from bob")
    assert feed(client, alice_token) == []
    pump.drain()
    assert feed(client, alice_token) == ["from bob"]
    assert feed(client, bob_token) == ["from bob"]


def test_posts_of_users_i_do_not_follow_stay_out_of_my_feed(client, pump, alice, bob):
    (alice_user, alice_token), (_, bob_token) = alice, bob
    follow(client, bob_token, alice_user["id"])  # bob follows alice, not the other way
    create_post(client, bob_token, "bob only")
    pump.drain()
    assert feed(client, alice_token) == []


def test_the_feed_mixes_own_and_followed_posts_newest_first(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    for number in range(4):
        create_post(client, alice_token if number % 2 else bob_token, f"post{number}")
    pump.drain()
    assert feed(client, alice_token) == ["post3", "post2", "post1", "post0"]


def test_following_backfills_the_followees_recent_posts(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    create_post(client, alice_token, "alice old")
    for number in range(3):
        create_post(client, bob_token, f"bob{number}")
    pump.drain()
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    assert feed(client, alice_token) == ["bob2", "bob1", "bob0", "alice old"]


def test_backfill_is_bounded_to_the_most_recent_posts(client, pump, alice, bob, monkeypatch):
    monkeypatch.setattr(feed_consumer, "BACKFILL_POSTS", 2)
    (_, alice_token), (bob_user, bob_token) = alice, bob
    for number in range(4):
        create_post(client, bob_token, f"bob{number}")
    pump.drain()
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    assert feed(client, alice_token) == ["bob3", "bob2"]


def test_unfollowing_removes_the_followees_posts_but_not_mine(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    create_post(client, bob_token, "bob's")
    create_post(client, alice_token, "alice's")
    pump.drain()
    assert feed(client, alice_token) == ["alice's", "bob's"]
    unfollow(client, alice_token, bob_user["id"])
    pump.drain()
    assert feed(client, alice_token) == ["alice's"]
    assert list(FeedEntry.by_owner_author.query(owner_author_key(alice[0]["id"], bob_user["id"]))) == []
    assert feed(client, bob_token) == ["bob's"]


def test_a_deleted_post_leaves_every_feed(client, pump, alice, bob):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    post = create_post(client, bob_token, "short-lived")
    create_post(client, bob_token, "stays")
    pump.drain()
    assert holders(post["id"]) == {alice_user["id"], bob_user["id"]}
    delete_post(client, bob_token, post["id"])
    # Gone from the page at once (the post is missing), entries after the consumer.
    assert feed(client, alice_token) == ["stays"]
    pump.drain()
    assert holders(post["id"]) == set()
    assert feed(client, alice_token) == feed(client, bob_token) == ["stays"]


def seed_followers(user_id: int, count: int) -> list[int]:
    follower_ids = [new_id() for _ in range(count)]
    with Follow.batch_write() as batch:
        for follower_id in follower_ids:
            batch.save(Follow(follower_id, user_id, follow_id=new_id()))
    return follower_ids


@pytest.fixture
def chunks_of_4(monkeypatch):
    monkeypatch.setenv("FEED_FANOUT_CHUNK", "4")


def test_a_fan_out_larger_than_a_chunk_completes_through_continuations(client, pump, bob, chunks_of_4, published):
    follower_ids = seed_followers(bob.id, 10)
    post = create_post(client, bob.token, "to many")
    pump.drain()
    assert holders(post["id"]) == {bob.id, *follower_ids}
    # 10 followers, 4 per invocation: the event, then two continuations.
    continuations = [event for event in published if event.type == "feed.fanout_continued"]
    assert [(event.payload.action, event.payload.item_id) for event in continuations] == [("add", post["id"])] * 2


def test_a_deleted_posts_removal_walks_the_followers_in_chunks_too(client, pump, bob, chunks_of_4):
    follower_ids = seed_followers(bob.id, 10)
    post = create_post(client, bob.token, "short-lived")
    pump.drain()
    assert holders(post["id"]) == {bob.id, *follower_ids}
    delete_post(client, bob.token, post["id"])
    pump.drain()
    assert holders(post["id"]) == set()


def test_a_crash_between_chunks_loses_nothing_and_duplicates_nothing(client, pump, bob, chunks_of_4, monkeypatch):
    """The first chunk is written, then publishing its continuation fails:
    the message is retried, the chunk written again (the same keys), and the
    walk goes on from there."""
    follower_ids = seed_followers(bob.id, 10)
    failures = [1]

    def flaky(event):
        if failures[0]:
            failures[0] -= 1
            raise ConnectionError("SNS is unreachable")
        publish(event)

    monkeypatch.setattr(feed_consumer, "publish", flaky)
    post = create_post(client, bob.token, "resilient")
    pump.drain()
    assert holders(post["id"]) == {bob.id, *follower_ids}
    entries = [entry for owner in (bob.id, *follower_ids) for entry in FeedEntry.query(owner)]
    assert len(entries) == 11


def test_fan_out_reaches_every_follower_across_many_batches(client, pump, bob):
    bob_user, bob_token = bob
    follower_ids = [new_id() for _ in range(60)]  # more than two BatchWrite batches of 25
    with Follow.batch_write() as batch:
        for follower_id in follower_ids:
            batch.save(Follow(follower_id, bob_user["id"], follow_id=new_id()))
    post = create_post(client, bob_token, "to many")
    pump.drain()
    assert holders(post["id"]) == {bob_user["id"], *follower_ids}


def test_the_feed_pages_by_cursor_without_repeats_or_gaps(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    for number in range(7):
        create_post(client, bob_token if number % 3 else alice_token, f"p{number}")
    pump.drain()
    seen = [post["content"] for page in cursor_pages(client, "/api/feed?limit=3", alice_token) for post in page]
    assert seen == [f"p{n}" for n in reversed(range(7))]


def test_the_feed_pages_by_offset(client, alice):
    _, token = alice
    for number in range(5):
        create_post(client, token, f"p{number}")
    assert feed(client, token, "limit=2&offset=1") == ["p3", "p2"]
    last = get(client, "/api/feed?limit=2&offset=3", token)
    assert [p["content"] for p in last.json_body] == ["p1", "p0"] and next_cursor(last) is None


def test_a_feed_cursor_is_mine_only(client, alice, bob):
    (_, alice_token), (_, bob_token) = alice, bob
    for number in range(2):
        create_post(client, alice_token, f"p{number}")
    cursor = next_cursor(get(client, "/api/feed?limit=1", alice_token))
    response = get(client, f"/api/feed?cursor={cursor}", bob_token)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("cursor")


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=x", "offset")])
def test_bad_feed_paging_is_422(client, alice, query, field):
    response = get(client, f"/api/feed?{query}", alice[1])
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


def test_the_feed_needs_a_token(client):
    response = get(client, "/api/feed")
    assert response.status_code == 401


def test_a_feed_page_is_three_queries_and_a_batch_get_of_its_posts(client, pump, alice, bob):
    (_, alice_token), (bob_user, bob_token) = alice, bob
    follow(client, alice_token, bob_user["id"])
    create_post(client, bob_token, "x")
    pump.drain()
    with counting_dynamodb_calls() as calls:
        assert feed(client, alice_token) == ["x"]
    # token, the large accounts followed (none), the timeline, its posts, my marks in their id range
    assert calls == [TOKEN_CHECK, "Query", "Query", "BatchGetItem", "Query"]


# --- the consumer on its own: idempotent, and late events change nothing ------

def post_item(author: dict) -> Post:
    """A post as create_post stores it, without the route (and its event)."""
    post = Post(new_id(), author_id=author["id"], author_username=author["username"], content="direct",
                created_at="2026-01-01T00:00:00+00:00")
    post.save()
    return post


def test_post_created_twice_makes_one_entry_per_feed(client, pump, alice, bob):
    (alice_user, alice_token), (bob_user, _) = alice, bob
    follow(client, alice_token, bob_user["id"])
    post = post_item(bob_user)
    for _ in range(2):
        publish(event_of(events.PostCreated, {"post_id": post.post_id, "author_id": bob_user["id"]}))
    pump.drain()
    assert FeedEntry.count(alice_user["id"]) == 1
    assert holders(post.post_id) == {alice_user["id"], bob_user["id"]}


def test_a_late_post_created_for_a_deleted_post_writes_nothing(aws, bob):
    bob_user, _ = bob
    post_id = new_id()
    feed_consumer.add_post(event_of(events.PostCreated, {"post_id": post_id, "author_id": bob_user["id"]}))
    assert holders(post_id) == set()


def test_a_post_deleted_event_for_a_live_post_removes_nothing(client, alice):
    alice_user, token = alice
    post = create_post(client, token, "alive")
    feed_consumer.remove_post(event_of(events.PostDeleted, {"post_id": post["id"], "author_id": alice_user["id"],
                                                          "hashtags": []}))
    assert feed(client, token) == ["alive"]


def test_a_late_user_followed_after_an_unfollow_backfills_nothing(client, pump, alice, bob):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    create_post(client, bob_token, "bob's")
    follow(client, alice_token, bob_user["id"])
    unfollow(client, alice_token, bob_user["id"])
    pump.drain()
    stale = {"follower_id": alice_user["id"], "followee_id": bob_user["id"], "follow_id": new_id()}
    feed_consumer.backfill(event_of(events.UserFollowed, stale))
    assert feed(client, alice_token) == []


def test_a_late_user_unfollowed_after_following_again_removes_nothing(client, pump, alice, bob):
    (alice_user, alice_token), (bob_user, bob_token) = alice, bob
    create_post(client, bob_token, "bob's")
    follow(client, alice_token, bob_user["id"])
    pump.drain()
    stale = {"follower_id": alice_user["id"], "followee_id": bob_user["id"], "follow_id": 1}
    feed_consumer.drop_followee(event_of(events.UserUnfollowed, stale))
    assert feed(client, alice_token) == ["bob's"]


def test_a_timeline_keeps_its_newest_entries_up_to_the_cap_and_profiles_keep_everything(
        client, pump, alice, bob, monkeypatch):
    monkeypatch.setenv("FEED_TIMELINE_CAP", "5")
    monkeypatch.setenv("FEED_TRIM_EVERY", "1")
    follow(client, alice.token, bob.id)
    posts = [create_post(client, bob.token, f"p{number}")["id"] for number in range(8)]
    pump.drain()
    assert [entry.item_id for entry in FeedEntry.query(alice.id, scan_index_forward=False)] == posts[::-1][:5]
    assert len(get_json(client, f"/api/users/{bob.id}/posts")) == 8


def test_a_backfill_trims_the_followers_timeline_to_the_cap(client, pump, alice, bob, monkeypatch):
    monkeypatch.setenv("FEED_TIMELINE_CAP", "3")
    posts = [create_post(client, bob.token, f"p{number}")["id"] for number in range(6)]
    pump.drain()
    follow(client, alice.token, bob.id)
    pump.drain()
    assert [entry.item_id for entry in FeedEntry.query(alice.id, scan_index_forward=False)] == posts[::-1][:3]
