"""Rate limits: a counter per bucket and fixed window in the rate-limits
table, counted with one conditional UpdateItem, so concurrent requests can
never get past the limit together and a request pays one round trip."""
from __future__ import annotations

import hashlib
import math
import time
from datetime import datetime, timezone

from pynamodb.exceptions import UpdateError

from chalicelib.errors import TooManyRequests
from chalicelib.models import RateLimit
from chalicelib.models.base import condition_failed

# A window's counter outlives the window a little, so that a refund made just
# after the window ended still finds it; TTL deletes it later.
_SLACK_SECONDS = 300


def _now() -> float:
    return time.time()


def bucket_for(kind: str, value: str) -> str:
    """A bucket for a value the client chose (an email, an address): hashed,
    so the key stays small whatever the value (and no email is stored)."""
    return f"{kind}#{hashlib.sha256(value.encode(errors='surrogatepass')).hexdigest()}"


def hit(bucket: str, limit: int, window_seconds: int) -> int:
    """Counts one request against bucket in the current window, or raises
    TooManyRequests when `limit` requests were already counted there.
    Returns the window's start (for refund)."""
    now = _now()
    window = int(now // window_seconds) * window_seconds
    expires = datetime.fromtimestamp(window + window_seconds + _SLACK_SECONDS, tz=timezone.utc)
    try:
        RateLimit(bucket, window).update(
            actions=[RateLimit.count.add(1), RateLimit.expires_at.set(expires)],
            condition=RateLimit.count.does_not_exist() | (RateLimit.count < limit),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise TooManyRequests(max(1, math.ceil(window + window_seconds - now))) from None
    return window


def refund(bucket: str, window: int) -> None:
    """Takes back a request counted by hit (one that should not count after
    all). Never creates a counter, nor takes one below zero."""
    try:
        RateLimit(bucket, window).update(
            actions=[RateLimit.count.add(-1)],
            condition=RateLimit.count > 0,
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
