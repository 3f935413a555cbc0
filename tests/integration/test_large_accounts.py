"""The feed's hybrid for large accounts: an account past FEED_LARGE_ACCOUNT
followers is not fanned out; its followers' feeds merge its newest posts in
on read, in one total order that cursors page through; the feed consumer
handles an account crossing the line either way."""
import pytest

from chalicelib.ids import new_id
from chalicelib.models import FeedEntry, Follow, LargeFollow, User
from tests.helpers import (
    counting_dynamodb_calls,
    create_post,
    cursor_pages,
    follow,
    get_json,
    register_and_login,
    unfollow,
)

LINE = 3  # followers above which an account is large, in these tests


@pytest.fixture(autouse=True)
def small_line(monkeypatch):
    monkeypatch.setenv("FEED_LARGE_ACCOUNT", str(LINE))


def fans(client, star, count: int) -> list:
    people = [register_and_login(client) for _ in range(count)]
    for person in people:
        follow(client, person.token, star.id)
    return people


def follow_as_large(person, star) -> None:
    """person follows star, a large account, as the consumer leaves it."""
    Follow(person.id, star.id, follow_id=new_id()).save()
    LargeFollow(person.id, star.id).save()
    User(star.id).update(actions=[User.is_large.set(True)])


def ids(posts) -> list[int]:
    return [post["id"] for post in posts]


def test_an_account_that_passes_the_line_is_marked_large_and_its_followers_merge_it(client, pump, bob):
    people = fans(client, bob, LINE + 1)
    pump.drain()
    assert User.get(bob.id).is_large
    assert {follow.follower_id for person in people for follow in LargeFollow.query(person.id)} == {
        person.id for person in people}


def test_a_large_accounts_post_is_not_fanned_out_but_is_in_every_followers_feed(client, pump, bob):
    people = fans(client, bob, LINE + 1)
    pump.drain()
    post = create_post(client, bob.token, "to the crowd")
    pump.drain()
    assert [entry.item_id for entry in FeedEntry.query(people[0].id)] == []  # not fanned out
    for person in people:
        assert post["id"] in ids(get_json(client, "/api/feed", person.token))


def test_the_merged_feed_is_one_total_order_that_cursors_page_through(client, pump, alice, bob):
    """Posts of a small account (fanned out) and a large one (merged on read),
    interleaved in time, page by page: newest first, no repeats, no gaps."""
    fans(client, bob, LINE)
    follow(client, alice.token, bob.id)  # the fourth follower makes bob large
    carol = register_and_login(client, "carol")
    follow(client, alice.token, carol.id)
    pump.drain()
    made = []
    for number in range(7):
        made.append(create_post(client, bob.token, f"bob {number}")["id"])
        made.append(create_post(client, carol.token, f"carol {number}")["id"])
    pump.drain()
    pages = cursor_pages(client, "/api/feed?limit=4", alice.token)
    shown = [post_id for page in pages for post_id in ids(page)]
    assert shown == sorted(made, reverse=True)
    assert [len(page) for page in pages] == [4, 4, 4, 2]
    offset_page = get_json(client, "/api/feed?limit=4&offset=4", alice.token)
    assert ids(offset_page) == shown[4:8]


def test_following_a_large_account_later_merges_its_older_posts_at_once(client, pump, alice, bob):
    fans(client, bob, LINE + 1)
    older = create_post(client, bob.token, "before alice came")["id"]
    pump.drain()
    follow(client, alice.token, bob.id)
    pump.drain()
    assert older in ids(get_json(client, "/api/feed", alice.token))


def test_unfollowing_a_large_account_takes_it_out_of_the_feed(client, pump, alice, bob):
    fans(client, bob, LINE + 1)
    follow(client, alice.token, bob.id)
    post = create_post(client, bob.token, "merged")["id"]
    pump.drain()
    unfollow(client, alice.token, bob.id)
    pump.drain()
    assert post not in ids(get_json(client, "/api/feed", alice.token))


def test_an_account_falling_back_under_the_line_is_fanned_out_again(client, pump, bob):
    people = fans(client, bob, LINE + 1)
    pump.drain()
    post = create_post(client, bob.token, "while large")["id"]
    for person in people[:3]:  # 1 follower left: below nine tenths of the line
        unfollow(client, person.token, bob.id)
    pump.drain()
    assert not User.get(bob.id).is_large
    for person in people[3:]:
        assert list(LargeFollow.query(person.id)) == []
        assert post in ids(get_json(client, "/api/feed", person.token))  # from the timeline now
        assert FeedEntry.get(person.id, post)
    later = create_post(client, bob.token, "fanned out again")["id"]
    pump.drain()
    assert FeedEntry.get(people[3].id, later)


def test_a_read_merges_at_most_the_cap_of_large_accounts(client, pump, alice, monkeypatch):
    monkeypatch.setenv("FEED_MERGE_CAP", "2")
    stars = [register_and_login(client) for _ in range(3)]
    for star in stars:
        follow_as_large(alice, star)
        create_post(client, star.token, "star post")
    shown = {post["author_id"] for post in get_json(client, "/api/feed", alice.token)}
    # The first two by account id; the third is only on its profile.
    assert shown == {star.id for star in sorted(stars, key=lambda star: star.id)[:2]}


def test_a_merged_feed_page_costs_one_query_per_large_account_and_no_more_for_more_posts(client, alice):
    counts = {}
    for posts in (5, 50):
        stars = [register_and_login(client) for _ in range(3)]
        for star in stars:
            follow_as_large(alice, star)
            for number in range(posts):
                create_post(client, star.token, f"p{number}")
        with counting_dynamodb_calls() as calls:
            get_json(client, "/api/feed", alice.token)
        counts[posts] = calls
        for star in stars:
            LargeFollow(alice.id, star.id).delete()
    # token, large follows, the follows themselves, timeline, one Query per large account, the posts, the marks
    assert counts[5] == counts[50] == ["GetItem", "Query", "BatchGetItem", "Query", "Query", "Query", "Query",
                                       "BatchGetItem", "Query"]


def test_a_large_follow_without_its_follow_merges_nothing(client, pump, alice, bob):
    """A late event may put a large follow back after the unfollow removed
    it: the read goes by the follow itself."""
    LargeFollow(alice.id, bob.id).save()
    create_post(client, bob.token, "not for alice")
    assert get_json(client, "/api/feed", alice.token) == []


def test_a_deep_offset_on_a_merged_feed_takes_a_bounded_number_of_queries(client, alice):
    stars = [register_and_login(client) for _ in range(3)]
    for star in stars:
        follow_as_large(alice, star)
        for number in range(30):
            create_post(client, star.token, f"p{number}")
    with counting_dynamodb_calls() as calls:
        page = get_json(client, "/api/feed?limit=5&offset=40", alice.token)
    assert len(page) == 5
    assert calls.count("Query") <= 2 + 3 * 2  # large follows, timeline, a page or two per account


def test_seeded_follows_past_the_line_are_enough(client, pump, bob):
    """The consumer decides by the stored count, however the follows came."""
    for _ in range(LINE):
        Follow(new_id(), bob.id, follow_id=new_id()).save()
    User(bob.id).update(actions=[User.follower_count.add(LINE)])
    fans(client, bob, 1)
    pump.drain()
    assert User.get(bob.id).is_large


def test_a_walk_continued_in_the_form_before_the_split_still_goes_on(client, pump, bob):
    """feed.fanout_continued once also carried large-account walks (item_type
    "account"); one still queued when the split deploys is not lost."""
    from chalicelib.consumers import feed as feed_consumer
    from chalicelib.events import Event, FanOutContinued

    people = fans(client, bob, LINE + 1)
    pump.drain()
    first = next(iter(Follow.followers.query(bob.id)))  # where the walk had reached
    for person in people:
        LargeFollow(person.id, bob.id).delete()
    feed_consumer.continue_fan_out(Event(FanOutContinued(
        item_type="account", action="enlist", item_id=0, author_id=bob.id,
        after_follower_id=first.follower_id, after_follow_id=first.follow_id)))
    assert {follow.follower_id for person in people for follow in LargeFollow.query(person.id)} == {
        person.id for person in people} - {first.follower_id}
