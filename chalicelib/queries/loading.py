from __future__ import annotations

import itertools
import random
import time
from typing import Iterable, TypeVar

from chalicelib.models.base import connection

T = TypeVar("T")


def fetch_many(model: type[T], keys: Iterable, consistent_read: bool = False) -> dict:
    """BatchGetItem: {key: item} for the keys that exist. A key is the hash
    key value, or a (hash, range) tuple for models with a range key.
    Strongly consistent on request (consumers deciding by what is stored now)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    return {_key_of(model, item): item for item in model.batch_get(keys, consistent_read=consistent_read)}


def in_order(model: type[T], keys: Iterable) -> list[T]:
    """BatchGetItem, returned in the order of keys, skipping missing items."""
    keys = list(keys)
    found = fetch_many(model, keys)
    return [found[key] for key in keys if key in found]


# BatchGetItem's limit per request, whatever the tables.
KEYS_PER_REQUEST = 100
UNPROCESSED_BACKOFF_SECONDS = 0.005


def fetch_together(*wanted: tuple[type, Iterable], consistent_read: bool = False) -> list[dict]:
    """fetch_many for the keys of several tables in one BatchGetItem, so a
    page that reads its items and something about them (their authors, the
    viewer's block items) pays one round trip for both: for each (model,
    keys), {key: item} for the keys that exist. Over KEYS_PER_REQUEST keys
    in all, one request per hundred; keys DynamoDB leaves unprocessed are
    asked for again."""
    requests = [(model, list(dict.fromkeys(keys))) for model, keys in wanted]
    tables = {model.Meta.table_name: index for index, (model, _) in enumerate(requests)}
    if len(tables) != len(requests):
        raise ValueError("fetch_together: one entry per table")
    keys = [(model.Meta.table_name, _raw_key(model, key)) for model, model_keys in requests for key in model_keys]
    found: list[dict] = [{} for _ in requests]
    for start in range(0, len(keys), KEYS_PER_REQUEST):
        pending: dict = {}
        for table, raw in keys[start:start + KEYS_PER_REQUEST]:
            pending.setdefault(table, {"Keys": [], "ConsistentRead": consistent_read})["Keys"].append(raw)
        for attempt in itertools.count():
            if not pending:
                break
            if attempt:  # what a busy partition left: asked again after a jittered, doubling wait
                time.sleep(random.uniform(0, UNPROCESSED_BACKOFF_SECONDS * 2 ** attempt))
            answer = connection().dispatch("BatchGetItem", {"RequestItems": pending})
            for table, items in answer.get("Responses", {}).items():
                model = requests[tables[table]][0]
                for raw_item in items:
                    item = model.from_raw_data(raw_item)
                    found[tables[table]][_key_of(model, item)] = item
            pending = answer.get("UnprocessedKeys") or {}
    return found


def _raw_key(model, key) -> dict:
    hash_value, range_value = key if model._range_key_attribute() is not None else (key, None)
    raw = {}
    for attribute, value in ((model._hash_key_attribute(), hash_value), (model._range_key_attribute(), range_value)):
        if attribute is not None:
            raw[attribute.attr_name] = {attribute.attr_type: attribute.serialize(value)}
    return raw


def _key_of(model, item):
    hash_name = model._hash_key_attribute().attr_name
    range_attribute = model._range_key_attribute()
    if range_attribute is None:
        return getattr(item, hash_name)
    return getattr(item, hash_name), getattr(item, range_attribute.attr_name)
