"""Business and health metrics as CloudWatch embedded metric format (EMF):
fields of the log lines the app writes anyway, which CloudWatch turns into
metrics of the namespace `<resource prefix>` with no API call. The alarms of
infra/cloudformation.py watch some of them.

A request's metrics (counted anywhere under it with `count`) ride on its
one log line; a consumer's and the outbox relay's on theirs."""
from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Optional

from chalicelib.config import resource_prefix

# What has been counted under the request being handled, if any.
_counted: ContextVar[Optional[dict[str, float]]] = ContextVar("counted", default=None)


def namespace() -> str:
    return resource_prefix()


def count(name: str, value: float = 1) -> None:
    """Adds to a metric of the request being handled; nothing outside one."""
    counted = _counted.get()
    if counted is not None:
        counted[name] = counted.get(name, 0) + value


def start_counting() -> None:
    _counted.set({})


def counted() -> dict[str, float]:
    return _counted.get() or {}


def embedded(values: dict[str, float], dimensions: dict[str, str], units: dict[str, str] | None = None) -> dict:
    """The fields that make a log line carry values as metrics with these
    dimensions (an extra= of json_logger's). No values, no fields."""
    if not values:
        return {}
    units = units or {}
    return {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [{
                "Namespace": namespace(),
                "Dimensions": [list(dimensions)],
                "Metrics": [{"Name": name, "Unit": units.get(name, "Count")} for name in values],
            }],
        },
        **dimensions,
        **values,
    }
