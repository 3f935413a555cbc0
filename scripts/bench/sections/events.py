"""RUNS times (default 30): registers a user and times from the register
response until GET /api/search/users finds them, i.e. the event's trip
through the topic, queue and search consumer. Median, p90 and worst."""
from __future__ import annotations

import statistics
import time

from api_client import Client

from bench.harness import PASSWORD, BenchError, Run, setting
from bench.numbers import ms, percentile

ORDER = 40
NEEDS_STACK = True


def latency(client: Client, username: str) -> float:
    client.call("POST", "/api/auth/register", {
        "username": username, "email": f"{username}@example.com", "password": PASSWORD,
    }, expect=201)
    responded = time.perf_counter()
    while True:
        found = client.call("GET", f"/api/search/users?q={username}")
        if any(user["username"] == username for user in found):
            return time.perf_counter() - responded
        if time.perf_counter() - responded > 30:
            raise BenchError(f"{username} was still not searchable 30 s after registering")
        time.sleep(0.005)


def run(run: Run) -> None:
    runs = setting("RUNS", 30)
    print(f"\nevents: user.registered -> found by GET /api/search/users, {runs} runs")
    client = Client(run.base_url)
    latencies = [latency(client, run.username("searched", number)) for number in range(runs)]
    client.close()
    print(f"  median {ms(statistics.median(latencies))}, p90 {ms(percentile(latencies, 90))}, "
          f"worst {ms(max(latencies))}")
