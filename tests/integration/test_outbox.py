"""The transactional outbox: an event whose publish fails, or whose process
dies, after its change committed is still published, and its effect happens
exactly once."""
import pytest

from chalicelib import outbox
from chalicelib.commands import auth
from chalicelib.consumers import outbox_relay
from chalicelib.models import OutboxEntry, SearchEntry
from tests.helpers import found, post_json


def pending_entries() -> list[OutboxEntry]:
    return [entry for shard in range(OutboxEntry.SHARDS) for entry in OutboxEntry.query(shard)]


def index_entries(term: str) -> list:
    return list(SearchEntry.query(f"user#{term[0]}", SearchEntry.sort.startswith(term)))


@pytest.fixture
def sns_down(monkeypatch):
    def refuse(event):
        raise ConnectionError("SNS is unreachable")

    monkeypatch.setattr(outbox, "publish", refuse)
    return monkeypatch


def test_a_published_event_leaves_no_outbox_entry(client, pump):
    post_json(client, "/api/auth/register", {
        "username": "tidy", "email": "tidy@example.com", "password": "correct horse"})
    assert pending_entries() == []


def test_a_failed_publish_after_the_commit_is_relayed_and_takes_effect_once(client, pump, sns_down):
    response = post_json(client, "/api/auth/register", {
        "username": "phoenix", "email": "phoenix@example.com", "password": "correct horse"})
    assert response.status_code == 201  # the change is committed: the request succeeded
    pump.drain()
    assert found(client, "phoenix") == []
    [entry] = pending_entries()

    sns_down.undo()  # SNS is back
    assert outbox.relay_pending(older_than_ms=0) == 1
    pump.drain()
    assert found(client, "phoenix") == ["phoenix"]
    assert len(index_entries("phoenix")) == 1
    assert pending_entries() == []
    assert outbox.relay_pending(older_than_ms=0) == 0


SCHEDULED_EVENT = {
    "version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
    "account": "123456789012", "time": "2026-11-22T00:00:00Z", "region": "us-east-1",
    "resources": [], "detail": {},
}


class Crash(BaseException):
    """The process dying between the commit and the publish."""


def test_a_crash_between_commit_and_publish_loses_no_event(client, pump, monkeypatch):
    def die(event):
        raise Crash()

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "publish", die)
        with pytest.raises(Crash):
            auth.register("lazarus", "lazarus@example.com", "correct horse", None, "127.0.0.1")
    assert len(pending_entries()) == 1
    outbox.relay_pending(older_than_ms=0)
    pump.drain()
    assert found(client, "lazarus") == ["lazarus"]


def test_the_relay_leaves_young_entries_to_the_command_that_wrote_them(client, sns_down):
    post_json(client, "/api/auth/register", {
        "username": "young", "email": "young@example.com", "password": "correct horse"})
    sns_down.undo()
    assert outbox.relay_pending() == 0  # within the grace period
    assert len(pending_entries()) == 1


def test_the_scheduled_relay_lambda_publishes_old_entries(client, pump, sns_down, monkeypatch):
    post_json(client, "/api/auth/register", {
        "username": "late", "email": "late@example.com", "password": "correct horse"})
    sns_down.undo()
    a_minute_later = outbox.now_ms() + 60_000
    monkeypatch.setattr(outbox, "now_ms", lambda: a_minute_later)
    assert outbox_relay(SCHEDULED_EVENT, None) == {"relayed": 1}
    pump.drain()
    assert found(client, "late") == ["late"]
