"""8 clients at once, each its own user on its own keep-alive connection
following 10 authors, for BENCH_SECONDS (default 30) once the consumers are
idle, each looping over feed, notifications, feed, notifications, post (40%
/ 40% / 20%). Total requests, requests per second, p50 and p99 of the GETs,
p50 of the POSTs, and the errors: any status other than 200/201, or a
failed connection, listed by kind. The posts make events of their own,
handled while it runs."""
from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass

from api_client import Client

from bench.harness import POSTS_PER_AUTHOR, Run, User, setting, wait_for_feeds
from bench.numbers import ms, percentile

ORDER = 30
NEEDS_STACK = True
CLIENTS = 8
FOLLOWEES_PER_CLIENT = 10
# The clients' loop: 40% feed, 40% notifications, 20% posts.
MIX = ("feed", "notifications", "feed", "notifications", "post")


@dataclass
class Outcome:
    kind: str  # feed, notifications or post
    seconds: float
    error: str | None  # None when the status was the expected one


def one_client(base_url: str, user: User, deadline: float, outcomes: list[Outcome]) -> None:
    client = Client(base_url)
    requests = {
        "feed": ("GET", "/api/feed", None, 200),
        "notifications": ("GET", "/api/notifications", None, 200),
        "post": ("POST", "/api/posts", {"content": f"throughput post by {user.username}"}, 201),
    }
    while time.perf_counter() < deadline:
        for kind in MIX:
            method, path, body, expected_status = requests[kind]
            started = time.perf_counter()
            try:
                status = client.request(method, path, body, user.token).status
                error = None if status == expected_status else str(status)
            except (OSError, http.client.HTTPException) as exception:
                error = type(exception).__name__
            outcomes.append(Outcome(kind, time.perf_counter() - started, error))
            if time.perf_counter() >= deadline:
                break
    client.close()


def run(run: Run) -> None:
    seconds = setting("BENCH_SECONDS", 30)
    print(f"\nthroughput: {CLIENTS} concurrent clients for {seconds} s, "
          "40% feed, 40% notifications, 20% posts")
    authors = run.authors(FOLLOWEES_PER_CLIENT)
    clients = run.new_users("client", CLIENTS)
    followees_by_client = [
        (client, [authors[(number * FOLLOWEES_PER_CLIENT + offset) % len(authors)]
                  for offset in range(FOLLOWEES_PER_CLIENT)])
        for number, client in enumerate(clients)
    ]
    run.follow(followees_by_client)
    reader = Client(run.base_url)
    wait_for_feeds(reader, {
        user.username: (user, FOLLOWEES_PER_CLIENT * POSTS_PER_AUTHOR) for user in clients
    })
    reader.close()
    run.wait_for_idle_pipeline()

    outcomes_by_client = [[] for _ in clients]
    started = time.perf_counter()
    threads = [
        threading.Thread(target=one_client, args=(run.base_url, user, started + seconds, outcomes))
        for user, outcomes in zip(clients, outcomes_by_client)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started

    outcomes = [outcome for client_outcomes in outcomes_by_client for outcome in client_outcomes]
    succeeded = [outcome for outcome in outcomes if outcome.error is None]
    gets = [outcome.seconds for outcome in succeeded if outcome.kind != "post"]
    posts = [outcome.seconds for outcome in succeeded if outcome.kind == "post"]
    errors = Counter(f"{outcome.kind} {outcome.error}" for outcome in outcomes if outcome.error)
    print(f"  requests: {len(outcomes)} in {elapsed:.1f} s = {len(outcomes) / elapsed:.1f}/s")
    print(f"  GET  p50 {ms(statistics.median(gets)) if gets else '-'}, "
          f"p99 {ms(percentile(gets, 99)) if gets else '-'} ({len(gets)} ok)")
    print(f"  POST p50 {ms(statistics.median(posts)) if posts else '-'} ({len(posts)} ok)")
    listed = ", ".join(f"{what} x{count}" for what, count in errors.most_common())
    print(f"  errors: {sum(errors.values())}" + (f" ({listed})" if listed else ""))
