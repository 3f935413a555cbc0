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


def test_the_contract_lists_sixteen_event_types():
    assert len(events.ALL_TYPES) == 16


def test_an_unknown_type_is_refused():
    with pytest.raises(ValueError):
        Event("user.exploded", {})
