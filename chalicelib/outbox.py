"""The transactional outbox: no event is lost between a write and its publish.

A command's event is written in the same TransactWriteItems as its change
(`chalicelib/writes.py` adds the entry to every command's items). Right
after the commit the event is published and its outbox entry deleted; if
the process dies first, or SNS refuses, the entry stays, and the relay
(`relay_pending`: a scheduled Lambda in the cloud, the local pump on a
laptop) publishes it later. An event may thus be published twice, never
zero times; consumers are idempotent on event_id's effect.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from chalicelib import metrics
from chalicelib.events import Event
from chalicelib.ids import first_id_at, id_time_ms, new_id, now_ms
from chalicelib.logs import json_logger
from chalicelib.models.outbox import OutboxEntry
from chalicelib.publisher import publish

logger = json_logger("instagram-events")

# Entries younger than this are left to the command that wrote them, which
# is normally publishing them right now.
RELAY_GRACE_MS = 30_000


@dataclass(frozen=True)
class Pending:
    """An event on its way: written with the change, published after it."""

    entry: OutboxEntry
    event: Event

    @property
    def operation(self) -> dict:
        """The entry's Put, for the command's TransactWriteItems."""
        return {"Put": self.entry.get_save_kwargs_from_instance()}


def new_entry(event: Event) -> Pending:
    return Pending(OutboxEntry(secrets.randbelow(OutboxEntry.SHARDS), new_id(), event=event.to_json()), event)


def publish_and_clear(pending: Pending) -> None:
    """Called once the change is committed."""
    event = pending.event
    context = {"event_id": event.event_id, "type": event.type}
    try:
        publish(event)
    except Exception:
        # The change is committed; the relay will publish the event.
        logger.warning("publish failed; left to the outbox relay", exc_info=True,
                       extra={**context, "outcome": "deferred"})
        return
    try:
        pending.entry.delete()
    except Exception:
        # Harmless: the relay will publish it again, and consumers are idempotent.
        logger.warning("outbox entry not deleted", exc_info=True, extra={**context, "outcome": "published"})


def relay_pending(older_than_ms: int = RELAY_GRACE_MS) -> int:
    """Publishes every outbox entry older than older_than_ms; returns how
    many. One Query per shard; the table is never scanned. Its last log line
    carries the metrics OutboxRelayed and OutboxOldestAgeSeconds (the age of
    the oldest entry it found, which an alarm watches), also when it fails."""
    now = now_ms()
    cutoff = first_id_at(now - older_than_ms)
    relayed, oldest = 0, None
    try:
        for shard in range(OutboxEntry.SHARDS):
            for entry in OutboxEntry.query(shard, OutboxEntry.entry_id < cutoff):
                oldest = entry.entry_id if oldest is None else min(oldest, entry.entry_id)
                event = Event.from_json(entry.event)
                publish(event)
                entry.delete()
                logger.info("relayed from the outbox", extra={"event_id": event.event_id, "type": event.type,
                                                               "outcome": "relayed"})
                relayed += 1
    finally:
        oldest_age_seconds = (now - id_time_ms(oldest)) / 1000 if oldest is not None else 0
        logger.info("outbox relay run", extra=metrics.embedded(
            {"OutboxRelayed": relayed, "OutboxOldestAgeSeconds": oldest_age_seconds}, {"service": logger.name},
            units={"OutboxOldestAgeSeconds": "Seconds"}))
    return relayed
