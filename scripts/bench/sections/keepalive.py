"""GET /api/health HEALTH_REQUESTS times (default 200) on one reused
(keep-alive) connection, then on a new connection per request. Median and
p99 of each, and keep-alive / new of the medians: below 1 means reusing a
connection pays off, as it should."""
from __future__ import annotations

import statistics

from api_client import Client

from bench.harness import Run, setting
from bench.numbers import median_and_p99, time_requests

ORDER = 10
NEEDS_STACK = True


def run(run: Run) -> None:
    count = setting("HEALTH_REQUESTS", 200)
    print(f"\nkeepalive: GET /api/health x{count}")
    client = Client(run.base_url)
    time_requests(client, "/api/health", 1)  # opens the connection
    kept_alive = time_requests(client, "/api/health", count)
    client.close()
    new_each_time = []
    for _ in range(count):
        client = Client(run.base_url)
        new_each_time += time_requests(client, "/api/health", 1)
        client.close()
    print(f"  one keep-alive connection:      {median_and_p99(kept_alive)}")
    print(f"  a new connection each request:  {median_and_p99(new_each_time)}")
    ratio = statistics.median(kept_alive) / statistics.median(new_each_time)
    print(f"  keep-alive / new (medians):     {ratio:.2f}")
