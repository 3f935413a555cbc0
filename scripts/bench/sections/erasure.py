"""The erasure of a deleted account of ERASE_POSTS posts (default 200, made
through the API, each with a hashtag) and ERASE_FOLLOWERS followers (default
1,000, written straight into the stack's tables with their user items, whose
following_count the erasure corrects), following as many back. The account
is deleted with DELETE /api/users/me. Reported: the
erasure consumer's invocations (from its log lines), the median, p99 and
longest of one invocation, and the time until every consumer queue is empty
(the posts' own cascades, in the feed, hashtags, media and cleanup
consumers, included). ERASURE_CHUNK and ERASURE_BATCH_CHUNK reach the stack
from this environment. Needs the stack this bench starts."""
from __future__ import annotations

import json
import statistics
import time

from api_client import Client

from bench.harness import PASSWORD, Run, aws_client, queued_events, setting, table
from bench.numbers import median_and_p99, ms
from chalicelib.ids import new_id

ORDER = 55
NEEDS_STACK = True


def seed_followers(run: Run, account_id: int, count: int) -> list[int]:
    """count users who follow the account and whom it follows back, written
    straight into the stack's users and follows tables."""
    dynamodb = aws_client(run.aws_url, "dynamodb")
    people = [new_id() for _ in range(count)]
    users, follows = [], []
    for person in people:
        users.append({"user_id": {"N": str(person)}, "username": {"S": f"{run.prefix}_fan{person}"},
                      "email": {"S": f"{person}@example.com"}, "password_hash": {"S": "!"},
                      "created_at": {"S": "2026-01-01T00:00:00+00:00"}, "is_active": {"BOOL": True},
                      "post_count": {"N": "0"}, "follower_count": {"N": "1"}, "following_count": {"N": "1"}})
        follows.append({"follower_id": {"N": str(person)}, "followee_id": {"N": str(account_id)},
                        "follow_id": {"N": str(new_id())}})
        follows.append({"follower_id": {"N": str(account_id)}, "followee_id": {"N": str(person)},
                        "follow_id": {"N": str(new_id())}})
    for name, items in (("users", users), ("follows", follows)):
        for start in range(0, len(items), 25):
            dynamodb.batch_write_item(RequestItems={table(name): [
                {"PutRequest": {"Item": item}} for item in items[start:start + 25]]})
    dynamodb.update_item(TableName=table("users"), Key={"user_id": {"N": str(account_id)}},
                         UpdateExpression="SET follower_count = :n, following_count = :n",
                         ExpressionAttributeValues={":n": {"N": str(count)}})
    return people


def run(run: Run) -> None:
    posts, followers = setting("ERASE_POSTS", 200), setting("ERASE_FOLLOWERS", 1000)
    print(f"\nerasure: a deleted account of {posts:,} posts and {followers:,} followers, followed back "
          f"(ERASURE_CHUNK {setting('ERASURE_CHUNK', 25)}, ERASURE_BATCH_CHUNK {setting('ERASURE_BATCH_CHUNK', 100)})")
    if not run.aws_url or run.log is None:
        print("  (needs the stack this bench starts: skipped with BASE_URL)")
        return
    [account] = run.new_users("erased", 1)
    client = Client(run.base_url)
    started = time.perf_counter()
    for number in range(posts):
        client.call("POST", "/api/posts", {"content": f"#farewell post {number}"}, token=account.token,
                    expect=201)
    seed_followers(run, account.user_id, followers)
    print(f"  seeded in {time.perf_counter() - started:.1f} s")
    run.wait_for_idle_pipeline()
    since = run.log.mark()
    started = time.perf_counter()
    client.call("DELETE", "/api/users/me", {"password": PASSWORD}, token=account.token, expect=204)
    client.close()
    while queued_events(run.aws_url):
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    lines = run.log.handled(since, "erasure")
    durations = [line["duration_ms"] / 1000 for line in lines]
    left = json.dumps(aws_client(run.aws_url, "dynamodb").query(
        TableName=table("follows"), IndexName="followers-by-time", KeyConditionExpression="followee_id = :id",
        ExpressionAttributeValues={":id": {"N": str(account.user_id)}}, Select="COUNT")["Count"])
    print(f"  deleted; every queue empty {elapsed:.1f} s later; followers left: {left}")
    if durations:
        print(f"  {len(durations)} erasure invocations: {median_and_p99(durations)}, longest {ms(max(durations))}, "
              f"mean {ms(statistics.mean(durations))}, sum {sum(durations):.1f} s")
