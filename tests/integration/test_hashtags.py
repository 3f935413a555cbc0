"""GET /api/search/hashtags?q= and GET /api/search/posts/hashtag/{tag}: fed
by post.created and post.deleted through the hashtags consumer."""
import pytest

from chalicelib import events
from chalicelib.consumers import hashtags as consumer
from chalicelib.models import Hashtag, HashtagPost
from chalicelib.publisher import publish
from tests.helpers import (
    create_post,
    cursor_pages,
    delete_post,
    event_of,
    get,
    get_json,
    next_cursor,
    register_and_login,
)


def tags(client, query):
    return [tag["name"] for tag in get_json(client, f"/api/search/hashtags?{query}")]


def tagged(client, tag, query=""):
    path = f"/api/search/posts/hashtag/{tag}" + (f"?{query}" if query else "")
    return [post["id"] for post in get_json(client, path)]


@pytest.fixture
def token(client):
    return register_and_login(client)[1]


def test_a_posts_hashtags_are_found_once_the_consumer_ran(client, pump, token):
    post = create_post(client, token, "Golden hour #Sunset at the #beach")
    assert tags(client, "q=sun") == []  # not before the event is consumed
    assert tagged(client, "sunset") == []
    pump.drain()
    assert tags(client, "q=sun") == ["sunset"]
    assert tags(client, "q=b") == ["beach"]
    assert tagged(client, "sunset") == [post["id"]]
    assert tagged(client, "beach") == [post["id"]]


def test_hashtag_search_is_a_case_insensitive_prefix_in_name_order(client, pump, token):
    create_post(client, token, "#sunrise #Sunset #SUNDAY #moon")
    pump.drain()
    assert tags(client, "q=SUN") == ["sunday", "sunrise", "sunset"]
    assert tags(client, "q=sunS") == ["sunset"]
    assert tags(client, "q=%23sun") == ["sunday", "sunrise", "sunset"]  # a leading '#' is allowed
    assert tags(client, "q=nothing") == []


def test_a_hashtag_response_has_an_id_and_the_lower_case_name(client, pump, token):
    create_post(client, token, "#Tea")
    pump.drain()
    [tag] = get(client, "/api/search/hashtags?q=tea").json_body
    assert set(tag) == {"id", "name"}
    assert tag["name"] == "tea"
    assert isinstance(tag["id"], int) and 0 < tag["id"] <= 2**53 - 1


def test_a_tag_keeps_its_id_when_more_posts_use_it(client, pump, token):
    create_post(client, token, "#coffee")
    pump.drain()
    [before] = get(client, "/api/search/hashtags?q=coffee").json_body
    create_post(client, token, "more #Coffee")
    pump.drain()
    assert get(client, "/api/search/hashtags?q=coffee").json_body == [before]


def test_unicode_word_characters_make_a_tag(client, pump, token):
    post = create_post(client, token, "Dinner #Café_Crème, #東京!")
    pump.drain()
    assert tags(client, "q=CAF") == ["café_crème"]
    assert tags(client, "q=東") == ["東京"]
    assert tagged(client, "Café_Crème") == [post["id"]]
    assert tagged(client, "caf%C3%A9_cr%C3%A8me") == [post["id"]]  # percent-encoded, as clients send it


def test_posts_by_tag_are_newest_first_case_insensitive_and_allow_a_leading_hash(client, pump, token):
    _, other = register_and_login(client)
    first = create_post(client, token, "#Travel day one")
    create_post(client, token, "#travelling is another tag")
    second = create_post(client, other, "#TRAVEL day two")
    pump.drain()
    assert tagged(client, "travel") == [second["id"], first["id"]]
    assert tagged(client, "TrAvEl") == [second["id"], first["id"]]
    assert tagged(client, "%23travel") == [second["id"], first["id"]]


def test_posts_by_tag_return_full_posts(client, pump, token):
    post = create_post(client, token, "#full")
    pump.drain()
    assert get(client, "/api/search/posts/hashtag/full").json_body == [post]


def test_a_deleted_post_leaves_the_tag_at_once_and_its_index_entry_after_the_consumer(client, pump, token):
    kept = create_post(client, token, "#river at dawn")
    deleted = create_post(client, token, "#river at dusk")
    pump.drain()
    assert tagged(client, "river") == [deleted["id"], kept["id"]]
    delete_post(client, token, deleted["id"])
    assert tagged(client, "river") == [kept["id"]]  # skipped while still indexed
    pump.drain()
    assert [entry.post_id for entry in HashtagPost.query("river")] == [kept["id"]]
    assert tagged(client, "river") == [kept["id"]]
    delete_post(client, token, kept["id"])
    pump.drain()
    assert list(HashtagPost.query("river")) == []
    assert tagged(client, "river") == []


def test_a_post_deleted_before_the_consumer_ran_is_never_indexed(client, pump, token):
    post = create_post(client, token, "#fleeting")
    delete_post(client, token, post["id"])
    pump.drain()
    assert list(HashtagPost.query("fleeting")) == []
    assert tagged(client, "fleeting") == []


def test_a_late_post_created_after_its_post_deleted_indexes_nothing(client, pump, token):
    post = create_post(client, token, "#late")
    pump.drain()
    delete_post(client, token, post["id"])
    pump.drain()
    consumer.index_post(event_of(events.PostCreated, {"post_id": post["id"], "author_id": post["author_id"]}))
    assert list(HashtagPost.query("late")) == []


def test_the_same_post_created_twice_indexes_it_once(client, pump, aws, token):
    post = create_post(client, token, "#twice #twice")
    pump.drain()
    publish(event_of(events.PostCreated, {"post_id": post["id"], "author_id": post["author_id"]}))
    pump.drain()
    assert [entry.post_id for entry in HashtagPost.query("twice")] == [post["id"]]
    assert len(list(Hashtag.query(Hashtag.bucket_for("twice"), Hashtag.name == "twice"))) == 1
    assert tagged(client, "twice") == [post["id"]]


def test_the_same_post_deleted_twice_is_harmless(client, pump, token):
    post = create_post(client, token, "#gone")
    pump.drain()
    delete_post(client, token, post["id"])
    deleted = event_of(events.PostDeleted,
                       {"post_id": post["id"], "author_id": post["author_id"], "hashtags": ["gone"]})
    consumer.unindex_post(deleted)
    consumer.unindex_post(deleted)
    assert list(HashtagPost.query("gone")) == []


def test_a_post_without_hashtags_indexes_nothing(client, pump, token):
    create_post(client, token, "no tags here, only a # sign")
    pump.drain()
    assert tags(client, "q=n") == []


def test_hashtag_search_pages_by_cursor_and_by_offset(client, pump, token):
    create_post(client, token, " ".join(f"#page{n}" for n in range(7)))
    pump.drain()
    seen = [tag["name"] for page in cursor_pages(client, "/api/search/hashtags?q=page&limit=3") for tag in page]
    assert seen == [f"page{n}" for n in range(7)]
    assert tags(client, "q=page&limit=2&offset=2") == ["page2", "page3"]


def test_posts_by_tag_page_by_cursor_and_by_offset(client, pump, token):
    ids = [create_post(client, token, f"#paged {n}")["id"] for n in range(5)]
    pump.drain()
    newest_first = list(reversed(ids))
    seen = [post["id"] for page in cursor_pages(client, "/api/search/posts/hashtag/paged?limit=2") for post in page]
    assert seen == newest_first
    assert tagged(client, "paged", "limit=2&offset=3") == newest_first[3:5]


def test_a_cursor_for_another_tag_is_422(client, pump, token):
    for n in range(2):
        create_post(client, token, f"#one #two {n}")
    pump.drain()
    cursor = next_cursor(get(client, "/api/search/posts/hashtag/one?limit=1"))
    response = get(client, f"/api/search/posts/hashtag/two?cursor={cursor}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("cursor")


@pytest.mark.parametrize("query", ["", "q=", "q=%23", "q=%20%20"])
def test_q_is_required_and_must_name_something(client, query):
    response = get(client, f"/api/search/hashtags?{query}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("q")


@pytest.mark.parametrize("query, field", [("q=a&limit=0", "limit"), ("q=a&limit=101", "limit"),
                                          ("q=a&offset=-1", "offset"), ("q=a&cursor=forged", "cursor")])
def test_bad_paging_of_hashtag_search_is_422(client, query, field):
    response = get(client, f"/api/search/hashtags?{query}")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


@pytest.mark.parametrize("tag", ["%23", "%20", "no%20such%20tag", "x" * 1100, "unknown"])
def test_posts_by_a_tag_nobody_used_is_an_empty_list(client, tag):
    assert tagged(client, tag) == []


def test_posts_by_tag_reject_bad_paging(client):
    response = get(client, "/api/search/posts/hashtag/any?limit=500")
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("limit")


def test_a_post_deleted_while_being_indexed_ends_unindexed(client, token, monkeypatch):
    # The deletion and its post.deleted are handled between the consumer's
    # read of the post and its writes: the consumer must undo its own writes.
    from chalicelib.models import Post

    post = create_post(client, token, "#race")
    name_tags = consumer._name_tags

    def deleted_meanwhile(tags):
        name_tags(tags)
        Post(post["id"]).delete()
        consumer.unindex_post(event_of(events.PostDeleted, {
            "post_id": post["id"], "author_id": post["author_id"], "hashtags": ["race"]}))

    monkeypatch.setattr(consumer, "_name_tags", deleted_meanwhile)
    consumer.index_post(event_of(events.PostCreated, {"post_id": post["id"], "author_id": post["author_id"]}))
    assert list(HashtagPost.query("race")) == []
