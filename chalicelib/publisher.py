"""Publishes domain events to the one SNS topic."""
from __future__ import annotations

import json

from chalicelib import aws
from chalicelib.config import ConfigurationError, settings
from chalicelib.events import Event
from chalicelib.logs import json_logger

logger = json_logger("instagram-events")


def publish(event: Event) -> None:
    topic_arn = settings().events_topic_arn
    if not topic_arn:
        raise ConfigurationError("EVENTS_TOPIC_ARN is not set")
    attributes = {"event_type": {"DataType": "String", "StringValue": event.type}}
    carried = event.payload.carries()
    if carried:
        attributes["carries"] = {"DataType": "String.Array", "StringValue": json.dumps(carried)}
    aws.client("sns").publish(TopicArn=topic_arn, Message=event.to_json(), MessageAttributes=attributes)
    logger.info("published", extra={"event_id": event.event_id, "type": event.type})
