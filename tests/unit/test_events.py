import json

import pytest

from chalicelib import events
from chalicelib.events import Event


def test_the_envelope_round_trips_through_json():
    event = Event(events.PostLiked(post_id=1, post_author_id=2, user_id=3, like_id=4))
    assert Event.from_json(event.to_json()) == event


def test_the_envelope_has_the_contract_fields_and_the_payload_as_data():
    event = Event(events.PostDeleted(post_id=1, author_id=2, hashtags=["sun"]))
    wire = json.loads(event.to_json())
    assert set(wire) == {"event_id", "type", "version", "occurred_at", "data"}
    assert wire["type"] == "post.deleted"
    assert wire["data"] == {"post_id": 1, "author_id": 2, "hashtags": ["sun"], "media_ids": []}
    assert event.occurred_at.endswith("+00:00")


def test_a_received_event_carries_its_typed_payload():
    wire = '{"type":"user.followed","data":{"follower_id":1,"followee_id":2,"follow_id":3},' \
           '"version":1,"event_id":"e","occurred_at":"2026-01-01T00:00:00+00:00"}'
    assert Event.from_json(wire).payload == events.UserFollowed(follower_id=1, followee_id=2, follow_id=3)


def test_each_event_gets_its_own_id():
    payload = events.UserRegistered(user_id=1)
    assert Event(payload).event_id != Event(payload).event_id


def test_the_contracts_event_types_and_ours():
    contract = {
        "user.registered", "user.updated", "post.created", "post.deleted", "post.liked", "post.unliked",
        "comment.added", "comment.deleted", "user.followed", "user.unfollowed", "story.created",
        "story.deleted", "message.sent", "messages.read", "notification.read", "notifications.read_all",
    }
    photos = {"media.ready", "media.rejected"}
    private_accounts = {"follow.requested", "follow.approved", "follow.declined", "user.blocked", "user.unblocked"}
    ours = {"user.password_changed", "post.saved", "post.unsaved", "follow.requests_pending", "feed.fanout_continued",
            "media.created", "hashtags.recount_continued"}
    assert events.ALL_TYPES == contract | photos | private_accounts | ours


def test_an_event_published_before_a_field_was_added_parses_with_its_default():
    wire = _wire("post.created", {"post_id": 1, "author_id": 2})
    assert Event.from_json(wire).payload == events.PostCreated(post_id=1, author_id=2, media_ids=[])


def _wire(type_: str, data) -> str:
    return json.dumps({"type": type_, "data": data, "version": 1, "event_id": "e",
                       "occurred_at": "2026-01-01T00:00:00+00:00"})


@pytest.mark.parametrize("type_, data", [
    ("user.exploded", {}),                                      # unknown type
    ("user.registered", {}),                                    # a field missing
    ("user.registered", {"user_id": "1"}),                      # a str for an int
    ("user.registered", {"user_id": True}),                     # a bool is not an id
    ("post.deleted", {"post_id": 1, "author_id": 2, "hashtags": [1]}),
    ("post.deleted", {"post_id": 1, "author_id": 2, "hashtags": [], "media_ids": ["1"]}),
    ("post.created", ["not", "an", "object"]),
])
def test_a_malformed_event_is_refused_when_parsed(type_, data):
    with pytest.raises(ValueError):
        Event.from_json(_wire(type_, data))


def test_fields_a_later_version_adds_are_ignored():
    event = Event.from_json(_wire("user.registered", {"user_id": 1, "referrer": 9}))
    assert event.payload == events.UserRegistered(user_id=1)
