"""Identifiers: positive integers, increasing with time, exact in JavaScript.

Layout (53 bits, so every id is <= 2**53 - 1):
    41 bits  milliseconds since 2025-01-01 (good until 2094)
    12 bits  per-process sequence, started at a random value each millisecond

There is no central counter (it would be a hot key). Two processes can pick
the same id in the same millisecond with probability ~1/4096; every insert
that uses an id is a conditional write, so such a collision is detected and
the caller retries with a fresh id.
"""
from __future__ import annotations

import secrets
import threading
import time

EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
SEQUENCE_BITS = 12
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1
MAX_ID = (1 << 53) - 1

_lock = threading.Lock()
_last_ms = 0
_sequence = 0


def new_id() -> int:
    global _last_ms, _sequence
    with _lock:
        now_ms = max(int(time.time() * 1000) - EPOCH_MS, _last_ms)
        if now_ms == _last_ms:
            _sequence += 1
            if _sequence > MAX_SEQUENCE:
                # Sequence exhausted within this millisecond: borrow the next.
                now_ms += 1
                _sequence = secrets.randbelow(MAX_SEQUENCE // 2)
        else:
            # Start low in the range so the rest of the millisecond has room.
            _sequence = secrets.randbelow(MAX_SEQUENCE // 2)
        _last_ms = now_ms
        return (now_ms << SEQUENCE_BITS) | _sequence


def id_time_ms(identifier: int) -> int:
    """The creation time (Unix ms) encoded in an id."""
    return (identifier >> SEQUENCE_BITS) + EPOCH_MS


def first_id_at(unix_ms: int) -> int:
    """The smallest id that can be made at this time: everything created
    before it has a smaller id (used as a read watermark and a time bound)."""
    return (unix_ms - EPOCH_MS) << SEQUENCE_BITS


def now_ms() -> int:
    return int(time.time() * 1000)
