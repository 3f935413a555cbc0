import dataclasses
import json
import typing

import pytest

from chalicelib import events
from chalicelib.events import Event


def test_the_envelope_round_trips_through_json():
    event = Event(events.PostLiked(post_id=1, post_author_id=2, user_id=3, like_id=4))
    assert Event.from_json(event.to_json()) == event


def test_the_envelope_has_the_contract_fields_and_the_payload_as_data():
    event = Event(events.PostDeleted(post_id=1, author_id=2, hashtags=["sun"]))
    wire = json.loads(event.to_json())
    assert set(wire) == {"event_id", "type", "version", "occurred_at", "data", "correlation_id"}
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
    accounts = {"user.email_verified", "export.requested", "export.ready", "user.deleted"}
    ours = {"user.password_changed", "post.saved", "post.unsaved", "follow.requests_pending", "feed.fanout_continued",
            "feed.large_account_walk_continued", "media.created", "user.email_verification_requested",
            "user.password_reset_requested", "notification.created", "hashtags.recount_continued",
            "user.erasure_continued"}
    assert events.ALL_TYPES == contract | photos | private_accounts | accounts | ours


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


def test_an_event_of_a_version_this_code_does_not_read_is_refused_whole():
    wire = json.loads(_wire("user.registered", {"user_id": 1}))
    with pytest.raises(events.UnknownVersion, match="user.registered version 2"):
        Event.from_json(json.dumps({**wire, "version": 2}))


def test_the_correlation_id_travels_in_the_envelope_and_defaults_to_what_is_being_handled():
    token = events.current_correlation_id.set("request-1")
    try:
        event = Event(events.UserRegistered(user_id=1))
    finally:
        events.current_correlation_id.reset(token)
    assert event.correlation_id == "request-1"
    assert Event.from_json(event.to_json()).correlation_id == "request-1"
    assert Event(events.UserRegistered(user_id=1)).correlation_id is None


def test_an_event_published_before_correlation_ids_parses_without_one():
    assert Event.from_json(_wire("user.registered", {"user_id": 1})).correlation_id is None


@pytest.mark.parametrize("payload, carried", [
    (events.PostCreated(post_id=1, author_id=2), []),
    (events.PostCreated(post_id=1, author_id=2, media_ids=[3], hashtags=["sun"], mentions=["bob"]),
     ["hashtags", "media", "mentions"]),
    (events.UserUpdated(user_id=1, released_media_ids=[4]), ["media"]),
    (events.StoryDeleted(story_id=1, author_id=2, media_ids=[3]), ["media"]),
    (events.MessageSent(message_id=1, sender_id=2, receiver_id=3), []),
])
def test_an_event_carries_what_its_type_declares_and_has(payload, carried):
    assert payload.carries() == carried


def test_every_declared_carrying_names_a_known_kind_and_list_fields_of_its_type():
    for payload in events.PAYLOADS.values():
        hints = typing.get_type_hints(payload)
        for carried, names in payload.carrying.items():
            assert carried in events.CARRIED, payload.type
            for name in names:
                assert name in {item.name for item in dataclasses.fields(payload)}, (payload.type, name)
                assert hints[name] in (list[int], list[str]), (payload.type, name)
