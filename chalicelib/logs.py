"""Structured logs: one JSON object per line, so that CloudWatch Logs
Insights (or jq, locally) can filter consumers' outcomes by event_id, type
and outcome."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

# Fields a caller may pass with extra={...}.
FIELDS = ("event_id", "type", "outcome", "message_id", "consumer")


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
        entry.update({field: getattr(record, field) for field in FIELDS if hasattr(record, field)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


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
