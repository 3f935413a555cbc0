"""The one definition of every AWS resource.

Tables come from the PynamoDB models (their keys, indexes and TTL attribute),
queues and their subscriptions from the consumers' declarations, and the media
bucket's rules from chalicelib/media_files.py's layout, so the resources
cannot drift from the code that uses them.
"""
from __future__ import annotations

from dataclasses import dataclass

from pynamodb.attributes import TTLAttribute

from chalicelib import media_files
from chalicelib.config import EVENTS_TOPIC, resource_name
from chalicelib.consumers import CONSUMERS
from chalicelib.consumers.batch import BUCKET, MAX_RECEIVE_COUNT, Consumer, OnlyCarrying
from chalicelib.models import ALL_MODELS

# Lambda asks for a visibility timeout of at least six times the function's
# timeout (60 s, .chalice/config.json).
VISIBILITY_TIMEOUT_SECONDS = 360
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600


@dataclass(frozen=True)
class Table:
    logical_name: str
    name: str
    attribute_definitions: list[dict]
    key_schema: list[dict]
    global_secondary_indexes: list[dict]
    ttl_attribute: str | None


@dataclass(frozen=True)
class ConsumerQueue:
    logical_name: str
    name: str
    dead_letter_name: str
    event_types: tuple[str, ...]  # what it takes from the events topic
    from_bucket: bool = False  # fed by the media bucket's notifications instead
    # Event types whose handler needs what they carry (OnlyCarrying), by what.
    only_carrying: tuple[tuple[str, str], ...] = ()


def camel(logical_name: str) -> str:
    return "".join(part.capitalize() for part in logical_name.replace("_", "-").split("-"))


def tables() -> list[Table]:
    return [_table(model) for model in ALL_MODELS]


def _table(model) -> Table:
    schema = model._get_schema()
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    return Table(
        logical_name=model.Meta.logical,
        name=model.Meta.table_name,
        attribute_definitions=schema["attribute_definitions"],
        key_schema=_hash_first(schema["key_schema"]),
        global_secondary_indexes=[
            {
                "IndexName": index["index_name"],
                "KeySchema": _hash_first(index["key_schema"]),
                "Projection": index["projection"],
            }
            for index in schema["global_secondary_indexes"]
        ],
        ttl_attribute=ttl[0] if ttl else None,
    )


def _hash_first(key_schema: list[dict]) -> list[dict]:
    # DynamoDB wants the HASH key first; PynamoDB lists attributes by name.
    return sorted(key_schema, key=lambda key: key["KeyType"] != "HASH")


TOPIC = EVENTS_TOPIC


def topic_name() -> str:
    return resource_name(TOPIC)


def consumer_queues() -> list[ConsumerQueue]:
    return [_queue(consumer) for consumer in CONSUMERS]


def _queue(consumer: Consumer) -> ConsumerQueue:
    from_bucket = consumer.fed_by == BUCKET
    return ConsumerQueue(
        logical_name=consumer.name,
        name=resource_name(consumer.name),
        dead_letter_name=resource_name(f"{consumer.name}-dlq"),
        event_types=() if from_bucket else tuple(sorted(payload.type for payload in consumer.handlers)),
        from_bucket=from_bucket,
        only_carrying=tuple(sorted((payload.type, handler.carried) for payload, handler in consumer.handlers.items()
                                   if isinstance(handler, OnlyCarrying))),
    )


MEDIA_BUCKET = "media"


def media_bucket_name(prefix: str) -> str:
    """Bucket names are global: the stack's account and region (which
    CloudFormation substitutes) make the stage's unique."""
    return f"{prefix}-{MEDIA_BUCKET}-${{AWS::AccountId}}-${{AWS::Region}}"
# The bucket notifies its uploads' queue of each file created under this prefix.
UPLOAD_EVENTS = ("s3:ObjectCreated:*",)


@dataclass(frozen=True)
class LifecycleRule:
    rule_id: str
    prefix: str
    days: int
    tag: tuple[str, str] | None = None


# What media_files.py leaves behind: an upload never processed, renditions
# never claimed, and a story's once it has ended (see its docstring).
LIFECYCLE_RULES = (
    LifecycleRule("uploads-left-behind", media_files.UPLOADS_PREFIX, 1),
    LifecycleRule("unclaimed-renditions", media_files.RENDITIONS_PREFIX, 1,
                  (media_files.CLAIMED_TAG, media_files.UNCLAIMED)),
    LifecycleRule("story-renditions", media_files.RENDITIONS_PREFIX, 2,
                  (media_files.CLAIMED_TAG, media_files.FOR_A_STORY)),
)


def upload_cors_rule(origins: tuple[str, ...]) -> dict | None:
    """Browsers on the stage's allowed origins may POST upload forms."""
    if not origins:
        return None
    return {"AllowedMethods": ["POST"], "AllowedOrigins": list(origins), "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}


def filter_policy(queue: ConsumerQueue) -> dict:
    """The queue's event types; those whose handler needs what they carry
    only when they carry it (the `carries` attribute)."""
    needing = dict(queue.only_carrying)
    groups: dict[str | None, list[str]] = {}
    for event_type in queue.event_types:
        groups.setdefault(needing.get(event_type), []).append(event_type)
    policies = [{"event_type": types, **({"carries": [carried]} if carried else {})}
                for carried, types in groups.items()]
    return policies[0] if len(policies) == 1 else {"$or": policies}


def redrive_policy(dead_letter_arn: str) -> dict:
    return {"deadLetterTargetArn": dead_letter_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
