"""Runs a batch of SQS records through a consumer's handlers.

Each record is one domain event (raw SNS delivery: the body is the
envelope), or what `parse` makes of its body (an S3 notification). A
record whose handler raises is reported in batchItemFailures so that only
it is retried (and, after the queue's maxReceiveCount, dead-lettered); its
batch-mates are not redelivered.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, Mapping, Optional

from chalicelib import metrics
from chalicelib.events import Event, Payload
from chalicelib.logs import cold_start, json_logger

Handlers = Mapping[type[Payload], Callable[[Event], None]]

# Not the Chalice app's name, so consumer logs stand apart from request logs.
logger = json_logger("instagram-events")


Parse = Callable[[str], Optional[Event]]


def process_batch(records: Iterable, handlers: Handlers, consumer: str, parse: Parse = Event.from_json) -> dict:
    """parse: a record's body as an event, or None for a message that asks
    for nothing (S3's test event)."""
    failures = []
    cold = cold_start()
    for record in records:
        message_id = record.to_dict()["messageId"]
        context = {"consumer": consumer, "message_id": message_id, "cold_start": cold}
        if not _process_record(record.body, handlers, context, parse):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _process_record(body: str, handlers: Handlers, context: dict, parse: Parse) -> bool:
    try:
        event = parse(body)
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
