"""One reader follows 5 authors, another 200 (5 posts each, so 25 and 1,000
posts, of which a timeline keeps the newest FEED_TIMELINE_CAP, 800). Once
following's backfill has filled both feeds and the consumers are idle
(every queue empty), GET /api/feed (a page of 20) is timed FEED_REQUESTS
times per reader (default 100, after 10 warm-up requests), alternating
between the two readers on one keep-alive connection. Median and p99 for
each, and 200 / 5 of the medians: the feed is filled on write, so a page
should cost the same whatever the number of followees (about 1).

The longest section: its seeding (200 users, 1,000 posts) makes events
faster than the local consumers handle them, and the backfill waits behind
that backlog. FEED_WAIT_SECONDS (default 600) bounds each wait; past it the
run fails, naming how many posts each feed holds."""
from __future__ import annotations

import statistics
import time

from api_client import Client

from bench.harness import POSTS_PER_AUTHOR, Run, setting, wait_for_feeds
from bench.numbers import median_and_p99, time_requests
from chalicelib.config import feed_timeline_cap

ORDER = 20
NEEDS_STACK = True


def run(run: Run) -> None:
    count = setting("FEED_REQUESTS", 100)
    print(f"\nfeed: GET /api/feed (20 a page) at 5 and at 200 followees, {POSTS_PER_AUTHOR} posts each")
    authors = run.authors(200)
    reader_5, reader_200 = run.new_users("reader", 2)
    started = time.perf_counter()
    run.follow([(reader_5, authors[:5]), (reader_200, authors)])
    print(f"  followed (5 + 200) in {time.perf_counter() - started:.1f} s")
    client = Client(run.base_url)
    # The stack's cap: this one's environment is the stack's.
    full = {followees: min(followees * POSTS_PER_AUTHOR, feed_timeline_cap()) for followees in (5, 200)}
    waited = wait_for_feeds(client, {
        "5 followees": (reader_5, full[5]), "200 followees": (reader_200, full[200]),
    })
    print(f"  both feeds complete ({full[5]} and {full[200]} posts) {waited:.1f} s after the last follow")
    run.wait_for_idle_pipeline()
    durations = {5: [], 200: []}
    for number in range(10 + count):
        # Alternating, so that whatever else the stack is busy with weighs on both alike.
        for followees, reader in ((5, reader_5), (200, reader_200)):
            took = time_requests(client, "/api/feed", 1, reader.token)
            if number >= 10:  # the first 10 are warm-up
                durations[followees] += took
    client.close()
    for followees in (5, 200):
        print(f"  {followees:>3} followees, x{count}:  {median_and_p99(durations[followees])}")
    ratio = statistics.median(durations[200]) / statistics.median(durations[5])
    print(f"  200 / 5 followees (medians): {ratio:.2f}")
