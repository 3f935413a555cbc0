"""Runs a batch of SQS records through a consumer's handlers.

Each record is one domain event (raw SNS delivery: the body is the
envelope), or what `parse` makes of its body (an S3 notification). A
record whose handler raises is reported in batchItemFailures so that only
it is retried (and, after the queue's maxReceiveCount, dead-lettered); its
batch-mates are not redelivered.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Optional

from chalicelib import metrics
from chalicelib.events import Event, Payload
from chalicelib.logs import cold_start, json_logger

Handlers = Mapping[type[Payload], Callable[[Event], None]]


@dataclass(frozen=True)
class OnlyCarrying:
    """A handler with nothing to do for an event that does not carry this
    (Payload.carries): its consumer's subscription filters such events out,
    so that they invoke nothing (infra/resources.py: filter_policy)."""

    carried: str
    handler: Callable[[Event], None]

    def __call__(self, event: Event) -> None:
        self.handler(event)


# How many times a message is received before its queue dead-letters it
# (infra/resources.py gives every consumer queue this redrive policy).
MAX_RECEIVE_COUNT = 5

# Not the Chalice app's name, so consumer logs stand apart from request logs.
logger = json_logger("instagram-events")


Parse = Callable[[dict], Optional[Event]]


def domain_event(record: dict) -> Event:
    return Event.from_json(record["body"])


def process_batch(records: Iterable, handlers: Handlers, consumer: str, parse: Parse = domain_event) -> dict:
    """parse: a record (Lambda's, as a dict) as an event, or None for a
    message that asks for nothing (S3's test event)."""
    failures = []
    cold = cold_start()
    for record in records:
        raw = record.to_dict()
        message_id = raw["messageId"]
        context = {"consumer": consumer, "message_id": message_id, "cold_start": cold}
        if not _process_record(raw, handlers, context, parse):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _process_record(record: dict, handlers: Handlers, context: dict, parse: Parse) -> bool:
    try:
        event = parse(record)
    except (ValueError, KeyError, TypeError) as error:
        logger.error(f"not an event envelope: {error}", extra=_outcome(context, "malformed"))
        return False
    if event is None:
        logger.info("nothing to do", extra=_outcome(context, "ignored"))
        return True
    context.update(event_id=event.event_id, type=event.type)
    handler = handlers.get(type(event.payload))
    if handler is None:
        # The subscription filter should not have sent it; nothing to do.
        logger.warning("no handler for this type", extra=_outcome(context, "ignored"))
        return True
    started = time.perf_counter()
    try:
        handler(event)
    except Exception:
        logger.exception("handler failed; will be retried", extra=_outcome(context, "failed"))
        return False
    context["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
    logger.info("handled", extra=_outcome(context, "done"))
    return True


def _outcome(context: dict, outcome: str) -> dict:
    """The line's fields: the record's context, its outcome, and the
    EventsHandled metric by consumer and outcome."""
    return {**context, **metrics.embedded({"EventsHandled": 1}, {"consumer": context["consumer"],
                                                                  "outcome": outcome})}
