"""Notifications: made by the notifications consumer from post.liked,
post.unliked, comment.added and user.followed; read with GET
/api/notifications, POST /api/notifications/{id}/read and
POST /api/notifications/read-all.

Likes, comments and follows are written here with the models and their
events published as the commands publish them (docs/data-model.md,
"Events"), so these tests do not depend on those routes."""
import pytest

from chalicelib import events
from chalicelib.commands import notifications as notification_commands
from chalicelib.consumers.notifications import HANDLERS
from chalicelib.events import Event
from chalicelib.ids import new_id
from chalicelib.models import Comment, Follow, Like, Notification, Post, ReadMark, User
from chalicelib.publisher import publish
from tests.helpers import (
    NOW,
    TOKEN_CHECK,
    add_comment,
    create_post,
    cursor_pages,
    event_of,
    get,
    get_json,
    of_types,
    post_json,
    register_and_login,
    seed_notifications,
    toggle_like,
    unfollow,
)
from tests.helpers import follow as follow_through_the_api

# What the notification commands publish (`published` records every event).
NOTIFICATION_EVENTS = (events.NotificationRead.type, events.NotificationsReadAll.type)


@pytest.fixture
def author(client):
    return register_and_login(client, "author")


@pytest.fixture
def fan(client):
    return register_and_login(client, "fan")


def make_post(user: dict) -> Post:
    post = Post(post_id=new_id(), author_id=user["id"], author_username=user["username"], content="hi",
                created_at=NOW)
    post.save()
    return post


def like(post: Post, user: dict) -> Event:
    """A like as the like toggle leaves it; returns its event, published."""
    like_id = new_id()
    Like(post.post_id, user["id"], like_id=like_id).save()
    event = event_of(events.PostLiked, {"post_id": post.post_id, "post_author_id": post.author_id,
                                      "user_id": user["id"], "like_id": like_id})
    publish(event)
    return event


def unlike(liked: Event) -> Event:
    Like(liked.data["post_id"], liked.data["user_id"]).delete()
    event = event_of(events.PostUnliked, dict(liked.data))
    publish(event)
    return event


def comment(post: Post, user: dict) -> Event:
    item = Comment(comment_id=new_id(), post_id=post.post_id, author_id=user["id"],
                   author_username=user["username"], content="nice", created_at=NOW)
    item.save()
    event = event_of(events.CommentAdded, {"comment_id": item.comment_id, "post_id": post.post_id,
                                         "post_author_id": post.author_id, "author_id": user["id"]})
    publish(event)
    return event


def follow(follower: dict, followee: dict) -> Event:
    follow_id = new_id()
    Follow(follower["id"], followee["id"], follow_id=follow_id).save()
    event = event_of(events.UserFollowed, {"follower_id": follower["id"], "followee_id": followee["id"],
                                         "follow_id": follow_id})
    publish(event)
    return event


def notifications_of(client, token, query="") -> list[dict]:
    return get_json(client, f"/api/notifications{query}", token)


def read(client, token, notification_id):
    return post_json(client, f"/api/notifications/{notification_id}/read", token=token)


def read_all(client, token):
    return post_json(client, "/api/notifications/read-all", token=token)


# The consumer: likes

def test_a_like_notifies_the_posts_author(client, pump, author, fan):
    (a, a_token), (f, f_token) = author, fan
    post = make_post(a)
    liked = like(post, f)
    assert notifications_of(client, a_token) == []  # made by the consumer, not the request
    pump.drain()
    assert notifications_of(client, a_token) == [{
        "id": liked.data["like_id"],
        "user_id": a["id"],
        "actor_id": f["id"],
        "type": "like",
        "reference_id": post.post_id,
        "message": "fan liked your post",
        "is_read": False,
        "created_at": liked.occurred_at,
    }]
    assert notifications_of(client, f_token) == []


def test_liking_your_own_post_notifies_nobody(client, pump, author):
    a, a_token = author
    like(make_post(a), a)
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_the_same_like_event_delivered_twice_notifies_once(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    liked = like(make_post(a), f)
    publish(liked)
    pump.drain()
    [notification] = notifications_of(client, a_token)
    read(client, a_token, notification["id"])
    publish(liked)  # a late redelivery does not make it unread again
    pump.drain()
    assert [(n["id"], n["is_read"]) for n in notifications_of(client, a_token)] == [(notification["id"], True)]


def test_an_unlike_removes_the_unread_like_notification(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    liked = like(make_post(a), f)
    pump.drain()
    assert len(notifications_of(client, a_token)) == 1
    unliked = unlike(liked)
    pump.drain()
    assert notifications_of(client, a_token) == []
    publish(unliked)  # redelivered: still nothing, no failure
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_an_unlike_keeps_a_like_notification_already_read(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    post = make_post(a)
    read_one = like(post, f)
    other, other_token = register_and_login(client)
    read_by_all = like(post, other)
    pump.drain()
    read(client, a_token, read_one.data["like_id"])
    unlike(read_one)
    pump.drain()
    read_all(client, a_token)
    unlike(read_by_all)
    pump.drain()
    assert sorted(n["id"] for n in notifications_of(client, a_token)) == sorted(
        [read_one.data["like_id"], read_by_all.data["like_id"]]
    )


def test_an_unlike_delivered_before_its_like_leaves_no_notification(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    post = make_post(a)
    liked = event_of(events.PostLiked, {"post_id": post.post_id, "post_author_id": a["id"], "user_id": f["id"],
                                      "like_id": new_id()})
    # Liked, then unliked at once: the events arrive in reverse order.
    publish(event_of(events.PostUnliked, dict(liked.data)))
    pump.drain()
    publish(liked)
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_like_unlike_like_delivered_in_any_order_leaves_the_newest_like_notified(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    post = make_post(a)
    first = event_of(events.PostLiked, {"post_id": post.post_id, "post_author_id": a["id"], "user_id": f["id"],
                                      "like_id": new_id()})
    second = like(post, f)  # the like that stands now
    pump.drain()
    publish(event_of(events.PostUnliked, dict(first.data)))
    publish(first)
    pump.drain()
    assert [n["id"] for n in notifications_of(client, a_token)] == [second.data["like_id"]]


def test_a_like_of_a_post_deleted_before_the_consumer_ran_notifies_nobody(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    post = make_post(a)
    like(post, f)
    post.delete()
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_a_like_or_follow_by_an_account_deleted_before_the_consumer_ran_notifies_nobody(client, pump, author, fan):
    """Its erasure undoes the like and the follow, and sweeps what they caused:
    a late event must not notify after that sweep."""
    (a, a_token), (f, _) = author, fan
    like(make_post(a), f)
    follow(f, a)
    User(f["id"]).update(actions=[User.is_active.set(False)])  # the tombstone
    pump.drain()
    assert notifications_of(client, a_token) == []


# The consumer: comments

def test_a_comment_notifies_the_posts_author(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    post = make_post(a)
    commented = comment(post, f)
    publish(commented)  # duplicate delivery
    pump.drain()
    [notification] = notifications_of(client, a_token)
    assert notification == {
        "id": commented.data["comment_id"],
        "user_id": a["id"],
        "actor_id": f["id"],
        "type": "comment",
        "reference_id": post.post_id,
        "message": "fan commented on your post",
        "is_read": False,
        "created_at": commented.occurred_at,
    }


def test_commenting_on_your_own_post_notifies_nobody(client, pump, author):
    a, a_token = author
    comment(make_post(a), a)
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_a_comment_deleted_before_the_consumer_ran_notifies_nobody(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    commented = comment(make_post(a), f)
    Comment(commented.data["comment_id"]).delete()
    pump.drain()
    assert notifications_of(client, a_token) == []


# The consumer: follows

def test_a_follow_notifies_the_followed_user(client, pump, author, fan):
    (a, a_token), (f, f_token) = author, fan
    followed = follow(f, a)
    publish(followed)  # duplicate delivery
    pump.drain()
    assert notifications_of(client, a_token) == [{
        "id": followed.data["follow_id"],
        "user_id": a["id"],
        "actor_id": f["id"],
        "type": "follow",
        "reference_id": f["id"],
        "message": "fan started following you",
        "is_read": False,
        "created_at": followed.occurred_at,
    }]
    assert notifications_of(client, f_token) == []


def test_a_follow_undone_before_the_consumer_ran_notifies_nobody(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    follow(f, a)
    Follow(f["id"], a["id"]).delete()
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_a_late_event_of_an_earlier_follow_does_not_notify_again(client, pump, author, fan):
    (a, a_token), (f, _) = author, fan
    earlier = event_of(events.UserFollowed, {"follower_id": f["id"], "followee_id": a["id"], "follow_id": new_id()})
    current = follow(f, a)  # unfollowed and followed again since
    pump.drain()
    publish(earlier)
    pump.drain()
    assert [n["id"] for n in notifications_of(client, a_token)] == [current.data["follow_id"]]


def test_a_self_follow_event_notifies_nobody(client, pump, author):
    a, a_token = author
    publish(event_of(events.UserFollowed, {"follower_id": a["id"], "followee_id": a["id"], "follow_id": new_id()}))
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_the_consumer_costs_at_most_six_round_trips_per_event(client, pump, author, fan, dynamodb_calls):
    """Five, and the outbox entry of notification.created deleted once published."""
    (a, _), (f, _) = author, fan
    post = make_post(a)

    def handle(event):
        dynamodb_calls.clear()
        HANDLERS[type(event.payload)](event)
        assert len(dynamodb_calls) <= 6, (event.type, dynamodb_calls)
        assert dynamodb_calls[-1] == "DeleteItem"  # it went all the way

    liked = like(post, f)
    for event in (liked, comment(post, f), follow(f, a)):
        handle(event)
    handle(unlike(liked))


# GET /api/notifications

def test_notifications_are_newest_first_and_only_mine(client, pump, author, fan):
    (a, a_token), (f, f_token) = author, fan
    post = make_post(a)
    events_in_order = [follow(f, a), like(post, f), comment(post, f)]
    follow(a, f)
    pump.drain()
    assert [n["type"] for n in notifications_of(client, a_token)] == ["comment", "like", "follow"]
    assert [n["id"] for n in notifications_of(client, a_token)] == [
        events_in_order[2].data["comment_id"], events_in_order[1].data["like_id"],
        events_in_order[0].data["follow_id"],
    ]
    assert [n["type"] for n in notifications_of(client, f_token)] == ["follow"]


def test_notifications_come_fifty_to_a_page_by_default_and_page_by_cursor(client, author):
    a, a_token = author
    ids = sorted(seed_notifications(a["id"], 53), reverse=True)
    first = get(client, "/api/notifications", a_token)
    assert [n["id"] for n in first.json_body] == ids[:50]
    seen = [n["id"] for page in cursor_pages(client, "/api/notifications?limit=20", a_token) for n in page]
    assert seen == ids
    by_offset = notifications_of(client, a_token, "?limit=5&offset=50")
    assert [n["id"] for n in by_offset] == ids[50:]


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                                          ("cursor=nope", "cursor")])
def test_bad_paging_parameters_are_422(client, author, query, field):
    _, a_token = author
    response = get(client, f"/api/notifications?{query}", a_token)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


def test_listing_costs_the_token_check_and_one_query(client, author, dynamodb_calls):
    a, a_token = author
    seed_notifications(a["id"], 30)
    dynamodb_calls.clear()
    notifications_of(client, a_token)
    # The read-all mark comes with the user item the token check reads.
    assert dynamodb_calls == [TOKEN_CHECK, "Query"]


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/notifications"),
    ("POST", "/api/notifications/1/read"),
    ("POST", "/api/notifications/read-all"),
])
def test_every_notification_endpoint_needs_a_token(client, method, path):
    response = client.request(method, path)
    assert response.status_code == 401
    assert response.json_body == {"detail": "Not authenticated"}


# POST /api/notifications/{notification_id}/read

def test_marking_one_notification_read(client, author, published):
    a, a_token = author
    first, second = sorted(seed_notifications(a["id"], 2))
    response = read(client, a_token, first)
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
    assert {n["id"]: n["is_read"] for n in notifications_of(client, a_token)} == {first: True, second: False}
    assert read(client, a_token, first).status_code == 200  # again: still fine
    assert [(e.type, e.data) for e in of_types(published, NOTIFICATION_EVENTS)][0] == (
        events.NotificationRead.type, {"user_id": a["id"], "notification_id": first})


def test_marking_someone_elses_notification_read_is_404_and_changes_nothing(client, author, fan, published):
    (a, a_token), (_, f_token) = author, fan
    [notification_id] = seed_notifications(a["id"], 1)
    response = read(client, f_token, notification_id)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Notification not found"}
    assert notifications_of(client, a_token)[0]["is_read"] is False
    assert of_types(published, NOTIFICATION_EVENTS) == []


@pytest.mark.parametrize("bad", ["987654321", "abc", "0", "-5", str(2**53)])
def test_marking_an_unknown_or_malformed_notification_read_is_404(client, author, bad):
    _, a_token = author
    response = read(client, a_token, bad)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Notification not found"}


def test_marking_read_never_creates_a_notification(client, author):
    a, a_token = author
    read(client, a_token, 987654321)
    assert notifications_of(client, a_token) == []
    with pytest.raises(Notification.DoesNotExist):
        Notification.get(a["id"], 987654321)


# POST /api/notifications/read-all

def test_read_all_marks_everything_so_far_read_but_not_what_comes_after(client, pump, author, fan, published):
    (a, a_token), (f, _) = author, fan
    seed_notifications(a["id"], 3)
    response = read_all(client, a_token)
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
    assert [n["is_read"] for n in notifications_of(client, a_token)] == [True, True, True]
    follow(f, a)
    pump.drain()
    assert [n["is_read"] for n in notifications_of(client, a_token)] == [False, True, True, True]
    [event] = of_types(published, NOTIFICATION_EVENTS)
    assert event.type == events.NotificationsReadAll.type
    assert event.data == {"user_id": a["id"], "up_to": User.get(a["id"]).notifications_read_up_to}


def test_read_all_never_moves_the_mark_back(client, author):
    a, _ = author
    later = notification_commands.mark_all_read(a["id"])
    notification_commands.advance_read_all_mark(a["id"], later - 1000)
    assert User.get(a["id"]).notifications_read_up_to == later


def test_an_account_from_before_the_mark_moved_keeps_its_read_all_until_the_next(client, pump, author, fan):
    """Accounts registered before read-all's mark moved onto the user item
    have none there; their mark in read-marks still counts."""
    (a, a_token), (f, _) = author, fan
    old_ids = seed_notifications(a["id"], 2)
    User(a["id"]).update(actions=[User.notifications_read_up_to.remove()])
    ReadMark(a["id"], ReadMark.NOTIFICATIONS, up_to=max(old_ids)).save()
    follow(f, a)
    pump.drain()
    assert [n["is_read"] for n in notifications_of(client, a_token)] == [False, True, True]
    read_all(client, a_token)
    assert [n["is_read"] for n in notifications_of(client, a_token)] == [True, True, True]
    assert User.get(a["id"]).notifications_read_up_to > max(old_ids)


def test_read_all_is_one_write_however_many_notifications(client, author, fan, dynamodb_calls):
    (a, a_token), (f, f_token) = author, fan
    seed_notifications(a["id"], 150)
    seed_notifications(f["id"], 1)
    dynamodb_calls.clear()
    assert read_all(client, a_token).status_code == 200
    # The token check, the write rate limit, one write (the watermark and its event), then the
    # outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "TransactWriteItems", "DeleteItem"]
    assert all(n["is_read"] for n in notifications_of(client, a_token, "?limit=100"))
    assert all(n["is_read"] for n in notifications_of(client, a_token, "?limit=100&offset=100"))
    assert notifications_of(client, f_token)[0]["is_read"] is False  # only mine


def test_read_all_with_nothing_to_read_is_fine(client, author):
    _, a_token = author
    assert read_all(client, a_token).status_code == 200
    assert read_all(client, a_token).status_code == 200
    assert notifications_of(client, a_token) == []


# Through the routes that cause notifications: request -> event -> consumer

def api_post(client, token) -> int:
    return create_post(client, token, "look")["id"]


def test_liking_through_the_api_notifies_the_author(client, pump, author, fan):
    (_, a_token), (f, f_token) = author, fan
    post_id = api_post(client, a_token)
    assert toggle_like(client, f_token, post_id)["liked"] is True
    pump.drain()
    [notification] = notifications_of(client, a_token)
    assert notification["type"] == "like"
    assert notification["actor_id"] == f["id"]
    assert notification["reference_id"] == post_id
    assert notification["message"] == "fan liked your post"
    assert notification["id"] == Like.get(post_id, f["id"]).like_id


def test_liking_your_own_post_through_the_api_notifies_nobody(client, pump, author):
    _, a_token = author
    toggle_like(client, a_token, api_post(client, a_token))
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_unliking_through_the_api_removes_the_unread_notification(client, pump, author, fan):
    (_, a_token), (_, f_token) = author, fan
    post_id = api_post(client, a_token)
    toggle_like(client, f_token, post_id)
    pump.drain()
    assert len(notifications_of(client, a_token)) == 1
    assert toggle_like(client, f_token, post_id)["liked"] is False
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_like_and_unlike_through_the_api_before_the_consumer_runs_notify_nobody(client, pump, author, fan):
    (_, a_token), (_, f_token) = author, fan
    post_id = api_post(client, a_token)
    toggle_like(client, f_token, post_id)
    toggle_like(client, f_token, post_id)
    pump.drain()
    assert notifications_of(client, a_token) == []


def test_commenting_through_the_api_notifies_the_author_but_not_for_your_own(client, pump, author, fan):
    (_, a_token), (f, f_token) = author, fan
    post_id = api_post(client, a_token)
    for token in (f_token, a_token):
        add_comment(client, token, post_id, "nice")
    pump.drain()
    [notification] = notifications_of(client, a_token)
    assert (notification["type"], notification["actor_id"], notification["reference_id"], notification["message"]) == (
        "comment", f["id"], post_id, "fan commented on your post")


def test_following_through_the_api_notifies_the_followed_user(client, pump, author, fan):
    (a, a_token), (f, f_token) = author, fan
    follow_through_the_api(client, f_token, a["id"])
    pump.drain()
    [notification] = notifications_of(client, a_token)
    assert (notification["type"], notification["actor_id"], notification["reference_id"], notification["message"]) == (
        "follow", f["id"], f["id"], "fan started following you")
    assert notifications_of(client, f_token) == []


def test_follow_and_unfollow_through_the_api_before_the_consumer_runs_notify_nobody(client, pump, author, fan):
    (a, a_token), (_, f_token) = author, fan
    post_json(client, f"/api/follow/{a['id']}", token=f_token)
    unfollow(client, f_token, a["id"])
    pump.drain()
    assert notifications_of(client, a_token) == []
