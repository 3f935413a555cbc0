"""For an author with 2,000 and then 20,000 followers (FANOUT_FOLLOWERS),
written straight into the stack's follows table: the time from creating a
post until every consumer queue is empty (every timeline holds it; 100
sampled timelines are checked), how many feed-consumer invocations it took,
and the longest and median invocation (from the consumer's log lines), then
the ratio of the longest ones: the fan-out goes a chunk of FEED_FANOUT_CHUNK
followers per invocation, so it should stay near 1. Then GET /api/feed
(FEED_REQUESTS times, alternating) for readers following 0, 5 and 50 large
accounts (marked large and followed straight in the stack's tables), whose
posts the read merges in: medians and p99, and the DynamoDB calls a read
took (the stack's X-DynamoDB-Calls header). Needs the stack this bench
starts."""
from __future__ import annotations

import os
import random
import statistics
import time

from api_client import Client

from bench.harness import Run, User, aws_client, queued_events, setting, table
from bench.numbers import median_and_p99, time_requests

ORDER = 50
NEEDS_STACK = True


def seed_followers(run: Run, author: User, count: int) -> list[int]:
    """count follows of author, written straight into the stack's table (the
    followers need no account for a fan-out to reach their timelines)."""
    dynamodb = aws_client(run.aws_url, "dynamodb")
    base = time.time_ns() // 1000 % 2**40 * 1000
    followers = [base + number for number in range(1, count + 1)]
    for start in range(0, count, 25):
        dynamodb.batch_write_item(RequestItems={table("follows"): [{"PutRequest": {"Item": {
            "follower_id": {"N": str(follower)}, "followee_id": {"N": str(author.user_id)},
            "follow_id": {"N": str(follower)}}}} for follower in followers[start:start + 25]]})
    return followers


def run(run: Run) -> None:
    sizes = [int(size) for size in os.environ.get("FANOUT_FOLLOWERS", "2000,20000").split(",")]
    print(f"\nfanout: a post by an author with {' and '.join(f'{size:,}' for size in sizes)} followers")
    if not run.aws_url or run.log is None:
        print("  (needs the stack this bench starts: skipped with BASE_URL)")
        return
    longest = {}
    for size in sizes:
        [author] = run.new_users(f"fanout{size}_", 1)
        started = time.perf_counter()
        followers = seed_followers(run, author, size)
        print(f"  {size:,} followers seeded in {time.perf_counter() - started:.1f} s")
        run.wait_for_idle_pipeline()
        since = run.log.mark()
        client = Client(run.base_url)
        started = time.perf_counter()
        post_id = client.call("POST", "/api/posts", {"content": "to everyone"}, token=author.token,
                              expect=201)["id"]
        client.close()
        while queued_events(run.aws_url):
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        lines = run.log.handled(since, "feed", ("post.created", "feed.fanout_continued"))
        durations = [line["duration_ms"] for line in lines]
        dynamodb = aws_client(run.aws_url, "dynamodb")
        sample = random.sample(followers, min(100, size))
        held = sum("Item" in dynamodb.get_item(TableName=table("feed"), Key={
            "owner_id": {"N": str(follower)}, "item_id": {"N": str(post_id)}}) for follower in sample)
        longest[size] = max(durations)
        print(f"  {size:,} followers: every timeline holds the post {elapsed:.1f} s after it was created "
              f"({held}/{len(sample)} sampled timelines checked); {len(lines)} invocations, longest "
              f"{longest[size]:.0f} ms, median {statistics.median(durations):.0f} ms")
    if len(sizes) > 1:
        print(f"  longest invocation, {sizes[-1]:,} / {sizes[0]:,} followers: "
              f"{longest[sizes[-1]] / longest[sizes[0]]:.2f}")
    merged_feeds(run)


def merged_feeds(run: Run) -> None:
    """GET /api/feed for readers following 0, 5 and 50 large accounts (of
    POSTS_PER_AUTHOR posts each; marked large and followed straight in the
    stack's tables), alternating, FEED_REQUESTS times each."""
    count = setting("FEED_REQUESTS", 100)
    stars = run.authors(50)
    dynamodb = aws_client(run.aws_url, "dynamodb")
    for star in stars:
        dynamodb.update_item(TableName=table("users"), Key={"user_id": {"N": str(star.user_id)}},
                             UpdateExpression="SET is_large = :yes", ExpressionAttributeValues={":yes": {"BOOL": True}})
    readers = dict(zip((0, 5, 50), run.new_users("merging", 3)))
    for followed, reader in readers.items():
        for number, star in enumerate(stars[:followed]):
            keys = {"follower_id": {"N": str(reader.user_id)}}
            dynamodb.put_item(TableName=table("large-follows"), Item={**keys, "author_id": {"N": str(star.user_id)}})
            dynamodb.put_item(TableName=table("follows"), Item={
                **keys, "followee_id": {"N": str(star.user_id)}, "follow_id": {"N": str(reader.user_id + number)}})
    print(f"  feed reads merging large accounts (a page of 20; at most FEED_MERGE_CAP, 20, are merged), x{count}:")
    client = Client(run.base_url)
    durations = {followed: [] for followed in readers}
    for number in range(10 + count):
        for followed, reader in readers.items():
            took = time_requests(client, "/api/feed", 1, reader.token)
            if number >= 10:  # the first 10 are warm-up
                durations[followed] += took
    calls = {followed: client.request("GET", "/api/feed", token=reader.token).dynamodb_calls
             for followed, reader in readers.items()}
    client.close()
    for followed, samples in durations.items():
        print(f"  {followed:>3} large accounts followed: {median_and_p99(samples)}, "
              f"{calls[followed]} DynamoDB calls (X-DynamoDB-Calls)")
