"""The time, in one place, so tests can move it (monkeypatch `clock.now`;
callers say `clock.now()`, not a name imported from here)."""
from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def now_iso() -> str:
    return now().isoformat()
