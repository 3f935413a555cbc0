"""POST and DELETE /api/follow/{user_id}."""
import boto3
import pytest

from chalicelib import events
from chalicelib.events import Event
from chalicelib.models import Follow, User
from tests.helpers import delete, get, post_json, register, register_and_login


def follow_request(client, token: str | None, user_id):
    """The raw answer, for the tests of failures (tests.helpers.follow asserts 200)."""
    return post_json(client, f"/api/follow/{user_id}", None, token)


def unfollow_request(client, token: str | None, user_id):
    return delete(client, f"/api/follow/{user_id}", token)


def counters(client, user_id: int) -> tuple[int, int]:
    profile = get(client, f"/api/users/{user_id}").json_body
    return profile["follower_count"], profile["following_count"]


def feed_queue_events(aws) -> list[Event]:
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.queue_urls["feed"], MaxNumberOfMessages=10).get("Messages", [])
    return [Event.from_json(message["Body"]) for message in messages]


@pytest.fixture
def pair(client):
    """Two users: (alice, alice's token, bob)."""
    alice, token = register_and_login(client)
    bob = register(client)
    return alice, token, bob


def test_follow_answers_following_true_and_counts_on_both_sides(client, pair):
    alice, token, bob = pair
    response = follow_request(client, token, bob["id"])
    assert response.status_code == 200
    assert response.json_body == {"following": True, "requested": False}
    assert counters(client, alice["id"]) == (0, 1)
    assert counters(client, bob["id"]) == (1, 0)
    assert Follow.get(alice["id"], bob["id"]).follow_id > 0


def test_unfollow_answers_following_false_and_counts_back_down(client, pair):
    alice, token, bob = pair
    follow_request(client, token, bob["id"])
    response = unfollow_request(client, token, bob["id"])
    assert response.status_code == 200
    assert response.json_body == {"following": False, "requested": False}
    assert counters(client, alice["id"]) == (0, 0)
    assert counters(client, bob["id"]) == (0, 0)
    assert Follow.count(alice["id"]) == 0


def test_follow_again_after_unfollowing(client, pair):
    alice, token, bob = pair
    follow_request(client, token, bob["id"])
    first_id = Follow.get(alice["id"], bob["id"]).follow_id
    unfollow_request(client, token, bob["id"])
    assert follow_request(client, token, bob["id"]).status_code == 200
    assert Follow.get(alice["id"], bob["id"]).follow_id > first_id
    assert counters(client, bob["id"]) == (1, 0)


def test_following_yourself_is_400_and_changes_nothing(client, pair):
    alice, token, _ = pair
    response = follow_request(client, token, alice["id"])
    assert response.status_code == 400
    assert response.json_body == {"detail": "Cannot follow yourself"}
    assert counters(client, alice["id"]) == (0, 0)


def test_following_twice_is_400_and_counts_once(client, pair):
    alice, token, bob = pair
    follow_request(client, token, bob["id"])
    response = follow_request(client, token, bob["id"])
    assert response.status_code == 400
    assert response.json_body == {"detail": "Already following"}
    assert counters(client, alice["id"]) == (0, 1)
    assert counters(client, bob["id"]) == (1, 0)


@pytest.mark.parametrize("user_id", ["123456789", "abc", "0", str(2**53)])
def test_following_an_unknown_user_is_404_and_changes_nothing(client, pair, user_id):
    alice, token, _ = pair
    response = follow_request(client, token, user_id)
    assert response.status_code == 404
    assert response.json_body == {"detail": "User not found"}
    assert counters(client, alice["id"]) == (0, 0)
    # No bare user item was created by a counter update.
    if user_id.isdigit() and int(user_id) < 2**53:
        with pytest.raises(User.DoesNotExist):
            User.get(int(user_id))


def test_unfollowing_someone_not_followed_is_400_and_changes_nothing(client, pair):
    alice, token, bob = pair
    response = unfollow_request(client, token, bob["id"])
    assert response.status_code == 400
    assert response.json_body == {"detail": "Not following"}
    assert counters(client, alice["id"]) == (0, 0)
    assert counters(client, bob["id"]) == (0, 0)


def test_unfollowing_twice_is_400_the_second_time(client, pair):
    alice, token, bob = pair
    follow_request(client, token, bob["id"])
    unfollow_request(client, token, bob["id"])
    response = unfollow_request(client, token, bob["id"])
    assert response.status_code == 400
    assert response.json_body == {"detail": "Not following"}
    assert counters(client, bob["id"]) == (0, 0)


def test_unfollowing_an_unknown_user_is_400_not_following(client, pair):
    _, token, _ = pair
    response = unfollow_request(client, token, 123456789)
    assert response.status_code == 400
    assert response.json_body == {"detail": "Not following"}


@pytest.mark.parametrize("call", [follow_request, unfollow_request], ids=["follow", "unfollow"])
def test_follow_and_unfollow_need_a_token(client, pair, call):
    _, _, bob = pair
    response = call(client, None, bob["id"])
    assert response.status_code == 401
    assert set(response.json_body) == {"detail"}


def test_counters_stay_exact_across_many_follows_and_unfollows(client):
    star = register(client)
    fans = [register_and_login(client) for _ in range(4)]
    for _, token in fans:
        follow_request(client, token, star["id"])
    for _, token in fans[:3]:
        unfollow_request(client, token, star["id"])
    follow_request(client, fans[0][1], star["id"])
    assert counters(client, star["id"]) == (2, 0)
    assert [counters(client, fan["id"])[1] for fan, _ in fans] == [1, 0, 0, 1]


def test_follow_and_unfollow_publish_their_events_with_the_follow_id(client, aws, pair):
    alice, token, bob = pair
    feed_queue_events(aws)  # whatever registration published, if anything
    follow_request(client, token, bob["id"])
    follow_id = Follow.get(alice["id"], bob["id"]).follow_id
    unfollow_request(client, token, bob["id"])
    published = [(e.type, e.data) for e in feed_queue_events(aws)]
    expected = {"follower_id": alice["id"], "followee_id": bob["id"], "follow_id": follow_id}
    assert sorted(published, key=lambda item: item[0]) == [
        (events.UserFollowed.type, expected), (events.UserUnfollowed.type, expected)]
