from __future__ import annotations

from typing import Iterable, TypeVar

T = TypeVar("T")


def fetch_many(model: type[T], keys: Iterable, consistent_read: bool = False) -> dict:
    """BatchGetItem: {key: item} for the keys that exist. A key is the hash
    key value, or a (hash, range) tuple for models with a range key.
    Strongly consistent on request (consumers deciding by what is stored now)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return {}
    range_attribute = model._range_key_attribute()
    hash_name = model._hash_key_attribute().attr_name

    def key_of(item):
        if range_attribute is None:
            return getattr(item, hash_name)
        return getattr(item, hash_name), getattr(item, range_attribute.attr_name)

    return {key_of(item): item for item in model.batch_get(keys, consistent_read=consistent_read)}


def in_order(model: type[T], keys: Iterable) -> list[T]:
    """BatchGetItem, returned in the order of keys, skipping missing items."""
    keys = list(keys)
    found = fetch_many(model, keys)
    return [found[key] for key in keys if key in found]
