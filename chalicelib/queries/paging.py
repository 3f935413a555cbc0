"""Pagination over one DynamoDB Query: limit + offset (kept for existing
clients, costs O(offset)) or an opaque cursor (costs the same on every page).

A cursor is the key of the last item returned, signed and bound to the list
it was issued for, so it cannot be forged or replayed against another list.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

from pynamodb.attributes import Attribute

from chalicelib.errors import Invalid
from chalicelib.security import cursor_key

T = TypeVar("T")


class InvalidCursor(Invalid):
    def __init__(self):
        super().__init__("cursor: invalid or not for this list")


@dataclass(frozen=True)
class PageRequest:
    limit: int
    offset: int = 0
    cursor: str | None = None


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def query_page(
    run_query: Callable[..., Any],
    page: PageRequest,
    *,
    scope: str,
    key_attributes: Sequence[Attribute],
) -> Page:
    """run_query(limit=, last_evaluated_key=) runs the Query; key_attributes
    are the attributes that make up its LastEvaluatedKey (table key, plus the
    index key when querying an index)."""
    start = _decode(page.cursor, scope, key_attributes) if page.cursor else None
    skip = 0 if start else page.offset
    # One item past the page tells whether another page exists.
    results = list(run_query(limit=skip + page.limit + 1, last_evaluated_key=start))
    items = results[skip:]
    if len(items) <= page.limit:
        return Page(items, None)
    items = items[: page.limit]
    return Page(items, _encode(items[-1], scope, key_attributes))


def start_key(page: PageRequest, scope: str, key_attributes: Sequence[Attribute]) -> dict | None:
    """The key a page's cursor names (None without one), for a list that
    pages itself rather than through query_page."""
    return _decode(page.cursor, scope, key_attributes) if page.cursor else None


def cursor_after(item: Any, scope: str, key_attributes: Sequence[Attribute]) -> str:
    """The cursor of the page that follows item."""
    return _encode(item, scope, key_attributes)


def _encode(item: Any, scope: str, key_attributes: Sequence[Attribute]) -> str:
    key = {
        attribute.attr_name: {attribute.attr_type: attribute.serialize(getattr(item, attribute.attr_name))}
        for attribute in key_attributes
    }
    payload = json.dumps(key, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_signature(scope, payload))}"


def _decode(cursor: str, scope: str, key_attributes: Sequence[Attribute]) -> dict:
    try:
        payload_part, signature_part = cursor.split(".")
        payload = _unb64(payload_part)
        if not hmac.compare_digest(_unb64(signature_part), _signature(scope, payload)):
            raise InvalidCursor()
        return json.loads(payload)
    except (ValueError, binascii.Error):
        raise InvalidCursor() from None


def _signature(scope: str, payload: bytes) -> bytes:
    # Signed so that a client cannot forge a start key (DynamoDB would reject
    # a malformed one with a 5xx); the scope binds it to one list.
    message = scope.encode() + b"\0" + payload
    return hmac.new(cursor_key(), message, hashlib.sha256).digest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode())
