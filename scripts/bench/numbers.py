"""How the sections sum up what they time."""
from __future__ import annotations

import math
import statistics
import time

from api_client import Client

from bench.harness import BenchError


def percentile(samples: list[float], percent: float) -> float:
    """Nearest rank: the smallest sample that at least `percent`% of the samples do not exceed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(len(ordered) * percent / 100) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median_and_p99(samples: list[float]) -> str:
    return f"median {ms(statistics.median(samples))}, p99 {ms(percentile(samples, 99))}"


def time_requests(client: Client, path: str, count: int, token: str | None = None) -> list[float]:
    """Seconds each of `count` GETs of path took, on client's connection."""
    durations = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.request("GET", path, token=token)
        durations.append(time.perf_counter() - started)
        if response.status != 200:
            raise BenchError(f"GET {path}: {response.status} {response.body[:300]!r}")
    return durations
