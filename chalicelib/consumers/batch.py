"""Runs a batch of SQS records through a consumer's handlers.

Each record is one domain event (raw SNS delivery: the body is the envelope).
A record whose handler raises is reported in batchItemFailures so that only
it is retried (and, after the queue's maxReceiveCount, dead-lettered); its
batch-mates are not redelivered.
"""
from __future__ import annotations

import json
import logging
from typing import Callable, Iterable, Mapping

from chalicelib.events import Event

logger = logging.getLogger(__name__)

Handlers = Mapping[str, Callable[[Event], None]]


def process_batch(records: Iterable, handlers: Handlers) -> dict:
    failures = []
    for record in records:
        message_id = record.to_dict()["messageId"]
        if not _process_record(message_id, record.body, handlers):
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _process_record(message_id: str, body: str, handlers: Handlers) -> bool:
    try:
        event = Event.from_json(body)
    except (ValueError, KeyError, TypeError):
        logger.error(json.dumps({"message_id": message_id, "outcome": "malformed"}))
        return False
    handler = handlers.get(event.type)
    log = {"event_id": event.event_id, "type": event.type, "message_id": message_id}
    if handler is None:
        # The subscription filter should not have sent it; nothing to do.
        logger.warning(json.dumps({**log, "outcome": "ignored"}))
        return True
    try:
        handler(event)
    except Exception:
        logger.exception(json.dumps({**log, "outcome": "failed"}))
        return False
    logger.info(json.dumps({**log, "outcome": "done"}))
    return True
