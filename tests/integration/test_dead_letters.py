"""Poison messages park in the dead-letter queue; once the cause is fixed,
a redrive brings them back and their effect happens."""
from chalicelib import events
from chalicelib.consumers import search
from infra import dead_letters
from tests.helpers import found, register


def test_poison_then_dead_letter_then_redrive_then_effect(client, pump, monkeypatch):
    def broken(event):
        raise RuntimeError("a bug in the search consumer")

    with monkeypatch.context() as patch:
        patch.setitem(search.HANDLERS, events.UserRegistered, broken)
        register(client, "lazarus")
        pump.drain()
    assert dead_letters.counts()["search"] == 1
    assert found(client, "lazarus") == []

    # The bug is fixed (the patch is undone): move the dead letters back.
    assert dead_letters.redrive("search") == {"search": 1}
    assert dead_letters.counts()["search"] == 0
    pump.drain()
    assert found(client, "lazarus") == ["lazarus"]


def test_redrive_of_empty_queues_moves_nothing(aws):
    assert set(dead_letters.redrive().values()) == {0}
