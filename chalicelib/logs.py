"""Structured logs: one JSON object per line, so that CloudWatch Logs
Insights (or jq, locally) can filter requests by route, status and user, and
consumers' outcomes by event_id, type and outcome. The API, the publisher and
the consumers all log through json_logger."""
from __future__ import annotations

import contextlib
import json
import logging
import sys
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Iterator

# What every LogRecord carries; anything else on a record is an extra={...}
# of the caller's.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Fields every line carries while they are set (logging_with): a consumer's
# event id and correlation id on whatever logs while it handles that event.
_context: ContextVar[dict[str, Any]] = ContextVar("log_context", default={})


@contextlib.contextmanager
def logging_with(**fields: Any) -> Iterator[None]:
    token = _context.set({**_context.get(), **fields})
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "service": self.service,
            "message": record.getMessage(),
        }
        own = set(entry)
        entry.update({name: value for name, value in _context.get().items() if name not in own})
        for name, value in vars(record).items():
            # An extra cannot pass itself off as one of the line's own fields
            # (it may say more precisely what the context says).
            if name not in _RECORD_ATTRIBUTES and name not in own:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


# The fields JsonFormatter writes on every line.
_LINE_FIELDS = frozenset({"time", "level", "service", "message"})


def parse_line(line: str) -> dict | None:
    """A line as JsonFormatter wrote it, as a dict; None for any other line
    (a traceback, another program's output), for tools that read logs."""
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and _LINE_FIELDS <= entry.keys() else None


def json_logger(service: str) -> logging.Logger:
    """A logger named after the service that writes JSON lines to stdout."""
    logger = logging.getLogger(service)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter(service))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


_cold = True


def cold_start() -> bool:
    """True for the first invocation this process handles: the one that
    paid for starting it (a Lambda cold start)."""
    global _cold
    cold, _cold = _cold, False
    return cold
