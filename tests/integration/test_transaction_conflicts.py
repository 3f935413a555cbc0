"""DynamoDB cancels a transaction that another one touched at the same moment
(TransactionConflict): a double tap, a follow updating the same user's
counters. Every write endpoint tries again, and if conflicts go on it answers
503 with Retry-After: the server is busy, the request was fine (a 4xx would
tell clients not to retry), and nothing is half done."""
import pytest

from tests.helpers import (
    add_comment,
    create_post,
    create_story,
    delete,
    follow,
    post_json,
    put_json,
    ready_media,
    register,
    register_and_login,
    seed_notifications,
    transactions_conflicting,
    unique_name,
)


# Each: (what, the setup that returns the request to make, its success status).
# The setup runs before conflicts begin; the request runs while they happen.
def _register(client, me, token, other):
    name = unique_name()
    return lambda: post_json(client, "/api/auth/register",
                             {"username": name, "email": f"{name}@example.com", "password": "correct horse"})


def _change_password(client, me, token, other):
    return lambda: put_json(client, "/api/auth/password",
                       {"current_password": "correct horse", "new_password": "battery staple"}, token)


def _update_profile(client, me, token, other):
    return lambda: put_json(client, "/api/users/me", {"bio": "hello"}, token)


def _create_post(client, me, token, other):
    return lambda: post_json(client, "/api/posts", {"content": "#golden hour"}, token)


def _delete_post(client, me, token, other):
    post = create_post(client, token)
    return lambda: delete(client, f"/api/posts/{post['id']}", token)


def _like(client, me, token, other):
    post = create_post(client, token)
    return lambda: post_json(client, f"/api/posts/{post['id']}/likes", token=token)


def _save(client, me, token, other):
    post = create_post(client, token)
    return lambda: post_json(client, f"/api/posts/{post['id']}/save", token=token)


def _unsave(client, me, token, other):
    post = create_post(client, token)
    assert post_json(client, f"/api/posts/{post['id']}/save", token=token).status_code == 200
    return lambda: delete(client, f"/api/posts/{post['id']}/save", token)


def _comment(client, me, token, other):
    post = create_post(client, token)
    return lambda: post_json(client, f"/api/posts/{post['id']}/comments", {"content": "Lovely"}, token)


def _reply(client, me, token, other):
    post = create_post(client, token)
    top = add_comment(client, token, post["id"])
    return lambda: post_json(client, f"/api/posts/{post['id']}/comments", {"content": "Yes", "parent_id": top["id"]},
                             token)


def _delete_comment(client, me, token, other):
    comment = add_comment(client, token, create_post(client, token)["id"])
    return lambda: delete(client, f"/api/posts/comments/{comment['id']}", token)


def _follow(client, me, token, other):
    return lambda: post_json(client, f"/api/follow/{other['id']}", token=token)


def _unfollow(client, me, token, other):
    follow(client, token, other["id"])
    return lambda: delete(client, f"/api/follow/{other['id']}", token)


def _create_media(client, me, token, other):
    return lambda: post_json(client, "/api/media", {"content_type": "image/jpeg", "size_bytes": 1000}, token)


def _post_photos(client, me, token, other):
    media_ids = ready_media(me["id"], 2)
    return lambda: post_json(client, "/api/posts", {"media_ids": media_ids}, token)


def _profile_photo(client, me, token, other):
    [media_id] = ready_media(me["id"], 1)
    return lambda: put_json(client, "/api/users/me", {"profile_media_id": media_id}, token)


def _create_story(client, me, token, other):
    return lambda: post_json(client, "/api/stories", {"content": "Today"}, token)


def _delete_story(client, me, token, other):
    story = create_story(client, token, "Today")
    return lambda: delete(client, f"/api/stories/{story['id']}", token)


def _send_message(client, me, token, other):
    return lambda: post_json(client, "/api/messages", {"receiver_id": other["id"], "content": "Hi"}, token)


def _read_messages(client, me, token, other):
    return lambda: post_json(client, f"/api/messages/{other['id']}/read", token=token)


def _read_notification(client, me, token, other):
    [notification_id] = seed_notifications(me["id"], 1)
    return lambda: post_json(client, f"/api/notifications/{notification_id}/read", token=token)


def _read_all_notifications(client, me, token, other):
    seed_notifications(me["id"], 3)
    return lambda: post_json(client, "/api/notifications/read-all", token=token)


WRITES = [
    (_register, 201), (_change_password, 200), (_update_profile, 200), (_create_post, 201), (_delete_post, 204),
    (_like, 200), (_save, 200), (_unsave, 200), (_comment, 201), (_reply, 201), (_delete_comment, 204), (_follow, 200),
    (_unfollow, 200),
    (_create_story, 201), (_delete_story, 204), (_send_message, 201), (_read_messages, 200),
    (_read_notification, 200), (_read_all_notifications, 200),
    (_create_media, 201), (_post_photos, 201), (_profile_photo, 200),
]
IDS = [setup.__name__.strip("_") for setup, _ in WRITES]


@pytest.fixture
def people(client):
    me, token = register_and_login(client)
    return me, token, register(client)


@pytest.mark.parametrize("setup, status", WRITES, ids=IDS)
def test_a_write_that_meets_a_conflict_tries_again_and_succeeds(client, people, setup, status):
    request = setup(client, *people)
    with transactions_conflicting(times=1):
        response = request()
    assert response.status_code == status, response.json_body


@pytest.mark.parametrize("setup, status", WRITES, ids=IDS)
def test_a_write_that_keeps_meeting_conflicts_is_503_with_retry_after_then_works(client, people, setup, status):
    request = setup(client, *people)
    with transactions_conflicting(times=1000):
        response = request()
    assert response.status_code == 503, response.json_body
    assert "please retry" in response.json_body["detail"]
    assert int(response.headers["Retry-After"]) >= 1
    # Nothing was half done: the same request, made again, succeeds.
    assert request().status_code == status
