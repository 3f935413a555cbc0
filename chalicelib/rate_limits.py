"""Rate limits: a counter per bucket and fixed window in the rate-limits
table, counted with one conditional UpdateItem, so concurrent requests can
never get past the limit together and a request pays one round trip.

Two kinds: `hit` refuses every request once a window's limit is reached (for
buckets only their own owner fills: a user's writes, an address's logins);
`pace` never refuses a whole window, it spaces requests out by a delay that
grows with each one beyond the free ones (for a bucket anyone can fill, such
as an account's failed logins, where a hard limit would be a lock-out that
strangers control)."""
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
    window = _window_of(now, window_seconds)
    try:
        RateLimit(bucket, window).update(
            actions=[RateLimit.count.add(1), RateLimit.expires_at.set(_expiry(window, window_seconds))],
            condition=RateLimit.count.does_not_exist() | (RateLimit.count < limit),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        raise TooManyRequests(_seconds_until(window + window_seconds, now)) from None
    return window


def pace(bucket: str, free: int, window_seconds: int, max_delay_seconds: int) -> int:
    """Counts one request against bucket in the current window. The first
    `free` of a window pass at once; after each one beyond them the next
    must wait 1, 2, 4, ... seconds, never more than max_delay_seconds, and
    raises TooManyRequests (not counted) while it waits. One conditional
    UpdateItem; a second one sets the delay once past the free ones (a few
    requests racing in between may pass undelayed). Returns the window."""
    now = _now()
    window = _window_of(now, window_seconds)
    counter = RateLimit(bucket, window)
    try:
        counter.update(
            actions=[RateLimit.count.add(1), RateLimit.expires_at.set(_expiry(window, window_seconds))],
            condition=RateLimit.not_before.does_not_exist() | (RateLimit.not_before <= now),
        )
    except UpdateError as error:
        if not condition_failed(error):
            raise
        waiting = RateLimit.get(bucket, window, consistent_read=True)
        raise TooManyRequests(_seconds_until(waiting.not_before, now)) from None
    beyond = counter.count - free
    if beyond > 0:
        delay = min(2 ** min(beyond - 1, 30), max_delay_seconds)
        RateLimit(bucket, window).update(actions=[RateLimit.not_before.set(now + delay)])
    return window


def _window_of(now: float, window_seconds: int) -> int:
    return int(now // window_seconds) * window_seconds


def _expiry(window: int, window_seconds: int) -> datetime:
    return datetime.fromtimestamp(window + window_seconds + _SLACK_SECONDS, tz=timezone.utc)


def _seconds_until(moment: float, now: float) -> int:
    return max(1, math.ceil(moment - now))


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
