import pytest

from chalicelib import events
from chalicelib.events import Event


def test_the_envelope_round_trips_through_json():
    event = Event(events.POST_LIKED, {"post_id": 1, "user_id": 2})
    assert Event.from_json(event.to_json()) == event


def test_the_envelope_has_the_contract_fields():
    event = Event(events.USER_REGISTERED, {"user_id": 1})
    assert set(__import__("json").loads(event.to_json())) == {
        "event_id", "type", "version", "occurred_at", "data"}
    assert event.occurred_at.endswith("+00:00")


def test_each_event_gets_its_own_id():
    assert Event(events.USER_REGISTERED, {}).event_id != Event(events.USER_REGISTERED, {}).event_id


def test_the_contracts_sixteen_event_types_and_ours():
    contract = {
        "user.registered", "user.updated", "post.created", "post.deleted", "post.liked", "post.unliked",
        "comment.added", "comment.deleted", "user.followed", "user.unfollowed", "story.created",
        "story.deleted", "message.sent", "messages.read", "notification.read", "notifications.read_all",
    }
    assert events.ALL_TYPES == contract | {"user.password_changed"}


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError):
        Event("user.exploded", {})
