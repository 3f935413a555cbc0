"""Publishes domain events to the one SNS topic."""
from __future__ import annotations

import logging

from chalicelib import aws
from chalicelib.config import ConfigurationError, settings
from chalicelib.events import Event

logger = logging.getLogger(__name__)


def publish(event: Event) -> None:
    topic_arn = settings().events_topic_arn
    if not topic_arn:
        raise ConfigurationError("EVENTS_TOPIC_ARN is not set")
    aws.client("sns").publish(
        TopicArn=topic_arn,
        Message=event.to_json(),
        MessageAttributes={
            "event_type": {"DataType": "String", "StringValue": event.type}
        },
    )
    logger.info("published %s %s", event.type, event.event_id)
