"""What a consumer is, and how a batch of SQS records runs through it.

A Consumer is declared once (chalicelib/consumers/__init__.py): its name
(its queue's), its Lambda function, the event types it handles, what feeds
its queue, and what its code touches (tables, the media bucket's files,
the events topic). Its function, queue, dead-letter queue, subscription
filter, template and IAM policy are all made from that declaration.

Each record is one domain event (raw SNS delivery: the body is the
envelope), or what the consumer's `parse` makes of its body (an S3
notification). A record whose handler raises is reported in
batchItemFailures so that only it is retried (and, after the queue's
maxReceiveCount, dead-lettered); its batch-mates are not redelivered. A
batch in which every record failed raises instead, so that the function's
Errors metric (and its alarm) sees it, as Powertools does.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Mapping, Optional

from chalicelib import metrics
from chalicelib.events import Event, Typed, UnknownVersion, current_correlation_id
from chalicelib.logs import cold_start, json_logger, logging_with

Handlers = Mapping[type[Typed], Callable[[Event], None]]
Parse = Callable[[dict], Optional[Event]]


@dataclass(frozen=True)
class OnlyCarrying:
    """A handler with nothing to do for an event that does not carry this
    (Payload.carrying): its consumer's subscription filters such events out,
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


def domain_event(record: dict) -> Event:
    return replace(Event.from_json(record["body"]), receives=receives_of(record))


def receives_of(record: dict) -> int:
    """How many times the queue has handed out this record's message."""
    return int(record.get("attributes", {}).get("ApproximateReceiveCount", "1"))


def is_last_try(event: Event) -> bool:
    """Whether a failure now parks the event in the dead-letter queue."""
    return event.receives >= MAX_RECEIVE_COUNT


# What a consumer may do with a table: READ (GetItem, Query, BatchGetItem,
# and a transaction's ConditionCheck), or WRITE (that and every write).
READ, WRITE = "read", "write"
TOPIC, BUCKET = "topic", "bucket"  # what feeds a consumer's queue


@dataclass(frozen=True)
class Consumer:
    name: str  # its queue's logical name
    function: str  # its Lambda function's name
    handlers: Handlers
    # Every table its code touches (its commands' too: they write the
    # outbox), and how: infra/policies.py grants exactly these.
    tables: Mapping[str, str]
    # What its code does to the media bucket's files: S3 actions by key prefix.
    files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    publishes: bool = False  # publishes events (its commands', or its own continuations)
    sends_mail: bool = False  # through SES, from the stage's sender only
    fed_by: str = TOPIC
    parse: Parse = domain_event
    batch_size: int = 10

    def __call__(self, sqs_event) -> dict:
        """The Lambda handler's body: Chalice's SQSEvent in, the partial
        batch response out."""
        return process_batch(sqs_event, self.handlers, self.name, parse=self.parse,
                             aws_request_id=getattr(sqs_event.context, "aws_request_id", None))


class BatchFailed(Exception):
    """Every record of the batch failed: raised so that Lambda counts an error."""


def process_batch(records: Iterable, handlers: Handlers, consumer: str, parse: Parse = domain_event,
                  aws_request_id: Optional[str] = None) -> dict:
    """parse: a record (Lambda's, as a dict) as an event, or None for a
    message that asks for nothing (S3's test event)."""
    failures = []
    cold = cold_start()
    count = 0
    for record in records:
        count += 1
        raw = record.to_dict()
        message_id = raw["messageId"]
        context = {"consumer": consumer, "message_id": message_id, "cold_start": cold,
                   "aws_request_id": aws_request_id}
        if not _process_record(raw, handlers, context, parse):
            failures.append({"itemIdentifier": message_id})
    if count and len(failures) == count:
        raise BatchFailed(f"{consumer}: all {count} records of the batch failed")
    return {"batchItemFailures": failures}


def _process_record(record: dict, handlers: Handlers, context: dict, parse: Parse) -> bool:
    try:
        event = parse(record)
    except UnknownVersion as error:
        logger.error(f"refused, an event of a version this code does not read: {error}; it is retried, then "
                     f"dead-lettered after {MAX_RECEIVE_COUNT} receives", extra=_outcome(context, "refused"))
        return False
    except (ValueError, KeyError, TypeError) as error:
        logger.error(f"not an event envelope: {error}", extra=_outcome(context, "malformed"))
        return False
    if event is None:
        logger.info("nothing to do", extra=_outcome(context, "ignored"))
        return True
    # The events this one leads to carry its correlation id on, so that the
    # request's id reaches every consumer it set off.
    correlation_id = event.correlation_id or event.event_id
    token = current_correlation_id.set(correlation_id)
    try:
        with logging_with(event_id=event.event_id, type=event.type, correlation_id=correlation_id):
            return _handle(event, handlers, context)
    finally:
        current_correlation_id.reset(token)


def _handle(event: Event, handlers: Handlers, context: dict) -> bool:
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
    logger.info("handled", extra=_outcome({**context, "duration_ms": round((time.perf_counter() - started) * 1000, 3)},
                                          "done"))
    return True


def _outcome(context: dict[str, Any], outcome: str) -> dict:
    """The line's fields: the record's context, its outcome, and the
    EventsHandled metric by consumer and outcome."""
    return {**context, **metrics.embedded({"EventsHandled": 1}, {"consumer": context["consumer"],
                                                                  "outcome": outcome})}
