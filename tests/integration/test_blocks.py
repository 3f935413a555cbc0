"""Blocks (CONTRACT.md, "Blocks"): a block ends follows and requests both
ways with exact counts, hides the blocker from the blocked user, keeps the
pair out of each other's lists and notifications, and holds under races."""
import pytest

from chalicelib.commands import blocks, follows
from chalicelib.events import PostLiked
from chalicelib.models import Follow, FollowRequest, Like
from tests.helpers import (
    add_comment,
    create_post,
    delete,
    event_of,
    follow,
    get,
    get_json,
    landing_after_read,
    post_json,
    put_json,
    register_and_login,
)

NO_USER = {"detail": "User not found"}
NO_POST = {"detail": "Post not found"}
UNBLOCK_FIRST = {"detail": "Unblock this user first"}


def block(client, person, other) -> dict:
    response = post_json(client, f"/api/blocks/{other.id}", None, person.token)
    assert response.status_code == 200, response.json_body
    return response.json_body


def unblock(client, person, other) -> dict:
    response = delete(client, f"/api/blocks/{other.id}", person.token)
    assert response.status_code == 200, response.json_body
    return response.json_body


def counts(client, person) -> tuple[int, int]:
    profile = get_json(client, f"/api/users/{person.id}", person.token)
    return profile["follower_count"], profile["following_count"]


def ids(items) -> list[int]:
    return [item["id"] for item in items]


@pytest.fixture
def carol(client):
    return register_and_login(client, "carol")


def test_blocking_answers_blocked_and_again_the_same(client, alice, bob):
    assert block(client, alice, bob) == {"blocked": True}
    assert block(client, alice, bob) == {"blocked": True}
    assert [user["username"] for user in get_json(client, "/api/blocks", alice.token)] == ["bob"]


def test_unblocking_answers_not_blocked_and_again_the_same(client, alice, bob):
    block(client, alice, bob)
    assert unblock(client, alice, bob) == {"blocked": False}
    assert unblock(client, alice, bob) == {"blocked": False}
    assert get_json(client, "/api/blocks", alice.token) == []


def test_blocking_yourself_is_400_and_an_unknown_user_404(client, alice):
    response = post_json(client, f"/api/blocks/{alice.id}", None, alice.token)
    assert (response.status_code, response.json_body) == (400, {"detail": "Cannot block yourself"})
    response = post_json(client, "/api/blocks/999999999", None, alice.token)
    assert (response.status_code, response.json_body) == (404, NO_USER)


def test_the_block_list_is_mine_newest_first(client, alice, bob, carol):
    block(client, alice, bob)
    block(client, alice, carol)
    assert [user["username"] for user in get_json(client, "/api/blocks", alice.token)] == ["carol", "bob"]
    assert get_json(client, "/api/blocks", bob.token) == []


def test_a_block_ends_the_follows_both_ways_with_exact_counts(client, alice, bob, carol):
    follow(client, alice.token, bob.id)
    follow(client, bob.token, alice.id)
    follow(client, carol.token, alice.id)
    block(client, alice, bob)
    assert counts(client, alice) == (1, 0)  # carol still follows alice
    assert counts(client, bob) == (0, 0)
    assert ids(get_json(client, f"/api/users/{alice.id}/followers", alice.token)) == [carol.id]


def test_a_block_ends_pending_requests_both_ways(client, alice, bob):
    put_json(client, "/api/users/me", {"is_private": True}, alice.token)
    put_json(client, "/api/users/me", {"is_private": True}, bob.token)
    post_json(client, f"/api/follow/{alice.id}", None, bob.token)
    post_json(client, f"/api/follow/{bob.id}", None, alice.token)
    block(client, alice, bob)
    assert get_json(client, "/api/follow/requests", alice.token) == []
    assert get_json(client, "/api/follow/requests", bob.token) == []


def test_to_the_blocked_user_the_blocker_does_not_exist(client, alice, bob):
    post_id = create_post(client, alice.token, "hello")["id"]
    comment_id = add_comment(client, alice.token, post_id)["id"]
    block(client, alice, bob)
    for path in (f"/api/users/{alice.id}", f"/api/users/{alice.id}/posts", f"/api/users/{alice.id}/followers",
                 f"/api/users/{alice.id}/following"):
        response = get(client, path, bob.token)
        assert (response.status_code, response.json_body) == (404, NO_USER), path
    for path in (f"/api/posts/{post_id}", f"/api/posts/{post_id}/comments",
                 f"/api/posts/comments/{comment_id}/replies"):
        response = get(client, path, bob.token)
        assert (response.status_code, response.json_body) == (404, NO_POST), path
    for path, body in ((f"/api/posts/{post_id}/likes", None), (f"/api/posts/{post_id}/comments", {"content": "x"}),
                       (f"/api/posts/{post_id}/save", None)):
        response = post_json(client, path, body, bob.token)
        assert (response.status_code, response.json_body) == (404, NO_POST), path
    for path, body in ((f"/api/follow/{alice.id}", None), ("/api/messages", {"receiver_id": alice.id,
                                                                              "content": "hi"})):
        response = post_json(client, path, body, bob.token)
        assert (response.status_code, response.json_body) == (404, NO_USER), path
    # Everyone else still sees alice.
    assert get(client, f"/api/posts/{post_id}").status_code == 200


def test_the_blocker_sees_the_blocked_profile_but_must_unblock_to_follow_or_message(client, alice, bob):
    block(client, alice, bob)
    assert get(client, f"/api/users/{bob.id}", alice.token).status_code == 200
    for path, body in ((f"/api/follow/{bob.id}", None), ("/api/messages", {"receiver_id": bob.id, "content": "hi"})):
        response = post_json(client, path, body, alice.token)
        assert (response.status_code, response.json_body) == (400, UNBLOCK_FIRST), path
    unblock(client, alice, bob)
    assert post_json(client, f"/api/follow/{bob.id}", None, alice.token).json_body["following"] is True


def test_lists_leave_out_anyone_blocked_either_way(client, pump, alice, bob, carol):
    follow(client, bob.token, carol.id)
    follow(client, alice.token, carol.id)
    post_id = create_post(client, carol.token, "#sunset by carol")["id"]
    bob_post = create_post(client, bob.token, "#sunset by bob")["id"]
    create_post(client, alice.token, "#sunset by alice")
    add_comment(client, bob.token, post_id, "from bob")
    add_comment(client, alice.token, post_id, "from alice")
    pump.drain()
    block(client, bob, alice)  # bob blocks alice: each disappears from the other's lists
    for viewer, hidden in ((alice, bob), (bob, alice)):
        followers = get_json(client, f"/api/users/{carol.id}/followers", viewer.token)
        assert hidden.id not in ids(followers)
        comments = get_json(client, f"/api/posts/{post_id}/comments", viewer.token)
        assert hidden.id not in [comment["author_id"] for comment in comments]
        found = get_json(client, f"/api/search/users?q={hidden.username}", viewer.token)
        assert found == []
        tagged = get_json(client, "/api/search/posts/hashtag/sunset", viewer.token)
        assert hidden.id not in [post["author_id"] for post in tagged]
        assert carol.id in [post["author_id"] for post in tagged]
    # Carol, and anonymous callers, see everyone.
    assert len(get_json(client, f"/api/posts/{post_id}/comments", carol.token)) == 2
    assert bob_post in ids(get_json(client, "/api/search/posts/hashtag/sunset"))


def test_replies_and_saved_posts_leave_out_anyone_blocked_either_way(client, alice, bob, carol):
    post_id = create_post(client, carol.token, "hello")["id"]
    top = add_comment(client, carol.token, post_id, "top")["id"]
    for person in (alice, bob):
        post_json(client, f"/api/posts/{post_id}/comments", {"content": "re", "parent_id": top}, person.token)
    bob_post = create_post(client, bob.token, "bob's")["id"]
    post_json(client, f"/api/posts/{bob_post}/save", None, alice.token)
    block(client, bob, alice)
    replies = get_json(client, f"/api/posts/comments/{top}/replies", alice.token)
    assert [reply["author_id"] for reply in replies] == [alice.id]
    assert get_json(client, "/api/saved", alice.token) == []


def test_a_block_takes_each_ones_posts_out_of_the_others_feed(client, pump, alice, bob):
    follow(client, alice.token, bob.id)
    follow(client, bob.token, alice.id)
    alice_post = create_post(client, alice.token, "a")["id"]
    bob_post = create_post(client, bob.token, "b")["id"]
    pump.drain()
    assert bob_post in ids(get_json(client, "/api/feed", alice.token))
    block(client, alice, bob)
    pump.drain()
    assert ids(get_json(client, "/api/feed", alice.token)) == [alice_post]
    assert ids(get_json(client, "/api/feed", bob.token)) == [bob_post]


def test_notifications_between_a_blocked_pair_are_neither_made_nor_shown(client, pump, alice, bob):
    post_id = create_post(client, alice.token, "hello")["id"]
    post_json(client, f"/api/posts/{post_id}/likes", None, bob.token)
    pump.drain()
    assert len(get_json(client, "/api/notifications", alice.token)) == 1
    block(client, alice, bob)
    assert get_json(client, "/api/notifications", alice.token) == []  # made before the block: hidden


def test_a_like_event_processed_after_a_block_notifies_nobody(client, pump, alice, bob):
    """The like committed, the block followed, and only then did the
    notifications consumer see the like's event."""
    post_id = create_post(client, alice.token, "hello")["id"]
    like_id = new_like(post_id, bob.id)
    block(client, alice, bob)
    pump.drain()
    from chalicelib.consumers import notifications

    notifications.notify_like(event_of(PostLiked, {"post_id": post_id, "post_author_id": alice.id,
                                                   "user_id": bob.id, "like_id": like_id}))
    unblock(client, alice, bob)  # the notification would show again if it had been made
    assert get_json(client, "/api/notifications", alice.token) == []


def new_like(post_id: int, user_id: int) -> int:
    from chalicelib.ids import new_id

    like = Like(post_id, user_id, like_id=new_id())
    like.save()
    return like.like_id


def test_block_versus_follow_keeps_the_counts_exact(client, serialised_aws, alice, bob, monkeypatch):
    """bob's follow read no block; alice's block commits before the follow
    does. The follow's check of the block fails: it retries and is refused."""
    real = follows.no_block_between
    raced = []

    def block_lands_first(writes, actor_id, other_id):
        real(writes, actor_id, other_id)
        if not raced:
            raced.append(True)
            block(client, alice, bob)

    monkeypatch.setattr(follows, "no_block_between", block_lands_first)
    response = post_json(client, f"/api/follow/{alice.id}", None, bob.token)
    assert (response.status_code, response.json_body) == (404, NO_USER)
    assert counts(client, alice) == (0, 0) and counts(client, bob) == (0, 0)


def test_follow_versus_block_the_follow_first_is_ended_by_the_block(client, serialised_aws, alice, bob,
                                                                      monkeypatch):
    """alice's block read no follow; bob's follow commits before the block
    does. The block's check that the follow is absent fails: it retries,
    finds the follow and ends it with the counts."""
    landing_after_read(monkeypatch, blocks, Follow, lambda: follow(client, bob.token, alice.id),
                       key=(bob.id, alice.id))
    block(client, alice, bob)
    assert counts(client, alice) == (0, 0) and counts(client, bob) == (0, 0)
    assert get_json(client, f"/api/users/{alice.id}/followers", alice.token) == []


def test_approve_versus_block_leaves_no_follow_and_exact_counts(client, serialised_aws, alice, bob, monkeypatch):
    """alice approves bob's request while blocking him: whichever commits
    first, the block ends what the approval made."""
    put_json(client, "/api/users/me", {"is_private": True}, alice.token)
    post_json(client, f"/api/follow/{alice.id}", None, bob.token)
    def approve():
        assert post_json(client, f"/api/follow/requests/{bob.id}/approve", None, alice.token).status_code == 200

    landing_after_read(monkeypatch, blocks, FollowRequest, approve, key=(alice.id, bob.id))
    block(client, alice, bob)
    assert counts(client, alice) == (0, 0) and counts(client, bob) == (0, 0)
    assert get_json(client, "/api/follow/requests", alice.token) == []


def test_two_users_blocking_each_other_at_once_both_stand(client, serialised_aws, alice, bob, monkeypatch):
    follow(client, alice.token, bob.id)
    follow(client, bob.token, alice.id)
    landing_after_read(monkeypatch, blocks, Follow, lambda: block(client, bob, alice))
    block(client, alice, bob)
    assert counts(client, alice) == (0, 0) and counts(client, bob) == (0, 0)
    assert ids(get_json(client, "/api/blocks", alice.token)) == [bob.id]
    assert ids(get_json(client, "/api/blocks", bob.token)) == [alice.id]
    unblock(client, alice, bob)
    # bob's block still stands: he may open alice's profile, and must unblock her to follow
    assert get(client, f"/api/users/{alice.id}", bob.token).status_code == 200
    response = post_json(client, f"/api/follow/{alice.id}", None, bob.token)
    assert (response.status_code, response.json_body) == (400, UNBLOCK_FIRST)


def test_mentioning_someone_who_blocked_me_is_404_and_writes_nothing(client, alice, bob):
    post_id = create_post(client, bob.token, "hello")["id"]
    block(client, alice, bob)
    for path in ("/api/posts", f"/api/posts/{post_id}/comments"):
        response = post_json(client, path, {"content": "hi @Alice"}, bob.token)
        assert (response.status_code, response.json_body) == (404, NO_USER), path
    assert get_json(client, f"/api/users/{bob.id}", bob.token)["post_count"] == 1
    # The blocker may mention whom they blocked; no notification reaches either.
    assert post_json(client, "/api/posts", {"content": "hi @bob"}, alice.token).status_code == 201
