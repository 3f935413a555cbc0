"""`make bench`: how fast the API is, in seven numbers-printing sections.

    make bench                                    # starts its own local stack on free ports
    BASE_URL=http://127.0.0.1:8000 make bench     # against a stack that is already running
    BENCH=keepalive,feed make bench               # only some of the sections

With no BASE_URL it starts `python -m infra.local` (embedded moto) on free
ports, with BCRYPT_ROUNDS=4 and rate limits raised far out of the way, and
stops it with SIGINT at the end. With BASE_URL the running stack's own limits
apply: give it WRITES_PER_USER, LOGIN_ATTEMPTS_PER_ADDRESS and
LOGIN_ATTEMPTS_PER_ACCOUNT of 100000 or so (and BCRYPT_ROUNDS=4), or the
seeding and the throughput run are answered 429 (counted as errors).
Every run makes new users under a random prefix, so runs never collide.

Sections, in this order (BENCH names them, comma-separated; default all):

keepalive   GET /api/health HEALTH_REQUESTS times (default 200) on one reused
            (keep-alive) connection, then on a new connection per request.
            Median and p99 of each, and keep-alive / new of the medians: below
            1 means reusing a connection pays off, as it should.
feed        One reader follows 5 authors, another 200 (5 posts each, so 25 and
            1,000 posts, of which a timeline keeps the newest
            FEED_TIMELINE_CAP, 800). Once following's backfill has filled
            both feeds and the consumers are idle (every queue
            empty), GET /api/feed (a page of 20) is timed
            FEED_REQUESTS times per reader (default 100, after 10 warm-up
            requests), alternating between the two readers on one keep-alive
            connection. Median and p99 for each, and
            200 / 5 of the medians: the feed is filled on write, so a page
            should cost the same whatever the number of followees (about 1).
throughput  8 clients at once, each its own user on its own keep-alive
            connection following 10 authors, for BENCH_SECONDS (default 30)
            once the consumers are idle, each looping over feed, notifications, feed, notifications, post
            (40% / 40% / 20%). Total requests, requests per second, p50 and
            p99 of the GETs, p50 of the POSTs, and the errors: any status other
            than 200/201, or a failed connection, listed by kind.
events      RUNS times (default 30): registers a user and times from the
            register response until GET /api/search/users finds them, i.e.
            the event's trip through the topic, queue and search consumer.
            Median, p90 and worst.
fanout      For an author with 2,000 and then 20,000 followers
            (FANOUT_FOLLOWERS), written straight into the stack's follows
            table: the time from creating a post until every consumer queue
            is empty (every timeline holds it; 100 sampled timelines are
            checked), how many feed-consumer invocations it took, and the
            longest and median invocation (from the consumer's log lines),
            then the ratio of the longest ones: the fan-out goes a chunk of
            FEED_FANOUT_CHUNK followers per invocation, so it should stay
            near 1. Then GET /api/feed (FEED_REQUESTS times, alternating)
            for readers following 0, 5 and 50 large accounts (marked large
            and followed straight in the stack's tables), whose posts the
            read merges in: medians and p99, and the DynamoDB calls a read
            took (the stack's X-DynamoDB-Calls header). Needs the stack
            this bench starts.
photos      A 12-megapixel JPEG (4000 x 3000, camera-like noise, about 8 MB),
            PHOTO_RUNS times (default 10): POST /api/media, POST the file
            with the upload form, then GET /api/media/{id} every 10 ms until
            it is ready. Median and worst of the time from the upload's
            response to the first answer saying ready, and of the uploads
            consumer's own duration (its log lines). Then, in a new process
            each, the renditions made from that file as the consumer makes
            them (JPEG draft mode: decoded at reduced scale) and, as the
            baseline, decoded at full size first: time, the process's peak
            RSS, and that peak less what the imports alone took.
coldstart   IMPORT_RUNS times (default 10) each, alternating, in a new
            process that sees only what the deployment package holds (the
            code and requirements.txt, installed apart): `import boto3`, the
            consumers' handler module and the API's (`import app`), i.e.
            what a Lambda cold start pays before the first event; once
            compiling as it goes (as Lambda does: the package holds no
            bytecode for its runtime), once with bytecode cached. Medians,
            and each against boto3. Needs no stack.

Latencies are measured by the client, from sending a request to having read
the whole response. The feed section takes longest: its seeding (200 users,
1,000 posts) makes events faster than the local consumers handle them, and
the backfill waits behind that backlog. FEED_WAIT_SECONDS (default 600) bounds
each wait; past it the run fails, naming how many posts each feed holds.
Reads are timed once the consumers are idle, seen through the stack's AWS
endpoint (its own, or AWS_ENDPOINT_URL with BASE_URL); the posts of the
throughput section make events of their own, handled while it runs.
When its own stack fails, the run also prints the stack's errors and
dead-letter reports from its log.
"""
from __future__ import annotations

import contextlib
import http.client
import io
import json
import math
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api_client import Client, UnexpectedAnswer, upload

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("keepalive", "feed", "throughput", "events", "fanout", "photos", "coldstart")
PASSWORD = "correct horse"
POSTS_PER_AUTHOR = 5
SEED_WORKERS = 8
THROUGHPUT_CLIENTS = 8
FOLLOWEES_PER_CLIENT = 10
# The throughput clients' loop: 40% feed, 40% notifications, 20% posts.
MIX = ("feed", "notifications", "feed", "notifications", "post")
# Far above anything a benchmark run does, so the app's limits never answer 429.
UNLIMITED = "100000"


class BenchError(Exception):
    pass


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# --- HTTP ------------------------------------------------------------------------


_thread_clients = threading.local()


def thread_client(base_url: str) -> Client:
    """This thread's own keep-alive client, for work spread over a pool."""
    if not hasattr(_thread_clients, "client"):
        _thread_clients.client = Client(base_url)
    return _thread_clients.client


# --- numbers -------------------------------------------------------------------


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


# --- the stack -----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def api_base_url():
    """(API URL, its AWS endpoint or None, its log or None): BASE_URL and
    AWS_ENDPOINT_URL, or those of a local stack started for this run (and
    stopped after it), with the file its output goes to."""
    base_url = os.environ.get("BASE_URL")
    if base_url:
        print(f"stack: the running one at {base_url} (BASE_URL; its own rate limits apply)")
        yield base_url.rstrip("/"), os.environ.get("AWS_ENDPOINT_URL"), None
        return
    port, moto_port = free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        PORT=str(port), MOTO_PORT=str(moto_port), BCRYPT_ROUNDS="4", WRITES_PER_USER=UNLIMITED,
        LOGIN_ATTEMPTS_PER_ADDRESS=UNLIMITED, LOGIN_ATTEMPTS_PER_ACCOUNT=UNLIMITED,
    )
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            wait_until_healthy(base_url, process, log)
            print(f"stack: started its own, python -m infra.local at {base_url} "
                  f"(up in {time.perf_counter() - started:.1f} s)")
            yield base_url, f"http://127.0.0.1:{moto_port}", log
        except (BenchError, UnexpectedAnswer) as error:
            raise BenchError(f"{error}\n{stack_problems(log)}") from None
        finally:
            stop_stack(process, log)


def wait_until_healthy(base_url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the local stack exited with {process.returncode}:\n{log_tail(log)}")
        client = Client(base_url)
        try:
            if client.request("GET", "/api/health").status == 200:
                return
        except OSError:
            pass
        finally:
            client.close()
        time.sleep(0.2)
    raise BenchError(f"the local stack did not answer /api/health within 120 s:\n{log_tail(log)}")


def stop_stack(process: subprocess.Popen, log) -> None:
    if process.poll() is not None:
        print(f"the local stack had exited by itself ({process.returncode}):\n{log_tail(log)}", file=sys.stderr)
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def log_lines(log) -> list[str]:
    log.seek(0)
    lines = log.read().decode(errors="replace").splitlines()
    log.seek(0, os.SEEK_END)
    return lines


def log_tail(log, count: int = 30) -> str:
    return "\n".join(log_lines(log)[-count:])


def stack_problems(log, count: int = 20) -> str:
    """The stack's log lines that tell of errors or dead letters, the last `count` of them."""
    markers = ("ERROR", "WARNING", "Traceback", "dead letters")
    problems = [line for line in log_lines(log) if any(marker in line for marker in markers)]
    if not problems:
        return "(the local stack's log shows no errors and no dead letters)"
    return "the local stack's log says:\n" + "\n".join(problems[-count:])


# --- users, posts and follows ----------------------------------------------------


@dataclass
class User:
    user_id: int
    username: str
    token: str


def new_user(client: Client, username: str) -> User:
    email = f"{username}@example.com"
    created = client.call("POST", "/api/auth/register", {
        "username": username, "email": email, "password": PASSWORD, "full_name": f"Bench {username}",
    }, expect=201)
    login = client.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})
    return User(created["id"], username, login["access_token"])


def post(client: Client, author: User, text: str) -> None:
    client.call("POST", "/api/posts", {"content": text}, token=author.token, expect=201)


def follow_all(client: Client, follower: User, followees: list[User]) -> None:
    # One after the other: a user's follows all update their following_count,
    # and concurrent ones would only fight over it.
    for followee in followees:
        client.call("POST", f"/api/follow/{followee.user_id}", token=follower.token)


def feed_size(client: Client, reader: User) -> int:
    """How many posts reader's whole feed holds, page by page."""
    count, cursor = 0, None
    while True:
        path = "/api/feed?limit=100" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        response = client.request("GET", path, token=reader.token)
        if response.status != 200:
            raise BenchError(f"GET {path}: {response.status} {response.body[:300]!r}")
        count += len(response.json())
        cursor = response.next_cursor
        if not cursor:
            return count


def wait_for_feeds(client: Client, expected: dict[str, tuple[User, int]]) -> float:
    """Waits until each reader's feed holds its expected number of posts (the
    follow events' backfill is asynchronous); returns the seconds waited."""
    started = time.perf_counter()
    deadline = started + setting("FEED_WAIT_SECONDS", 600)
    next_progress_report = started + 30
    while True:
        sizes = {name: feed_size(client, reader) for name, (reader, _) in expected.items()}
        behind = {name: size for name, size in sizes.items() if size < expected[name][1]}
        if not behind:
            return time.perf_counter() - started
        missing = ", ".join(f"{name}: {size} of {expected[name][1]} posts" for name, size in behind.items())
        now = time.perf_counter()
        if now > deadline:
            raise BenchError(f"feeds still incomplete after {now - started:.0f} s ({missing}): "
                             "the feed consumer is behind or failed (see `make dead-letters`)")
        if now > next_progress_report:
            print(f"  waiting for following's backfill, {now - started:.0f} s so far ({missing})", flush=True)
            next_progress_report = now + 30
        time.sleep(2)  # each look reads both whole feeds: not too often


def queued_events(aws_url: str) -> int:
    """Events waiting in, or being handled from, the stack's consumer queues."""
    sqs = aws_client(aws_url, "sqs")
    total = 0
    for url in sqs.list_queues().get("QueueUrls", []):
        if url.endswith("-dlq"):
            continue
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
        total += sum(int(value) for value in attributes.values())
    return total


def wait_for_idle_pipeline(run: "Run") -> None:
    """Until the consumers have handled every event, so that reads are timed
    on their own, not while the stack still works through a seeding backlog."""
    if not run.aws_url:
        print("  (AWS_ENDPOINT_URL unknown: not waiting for the consumers to go idle)")
        return
    started, backlog = time.perf_counter(), queued_events(run.aws_url)
    while (left := queued_events(run.aws_url)) and time.perf_counter() - started < setting("FEED_WAIT_SECONDS", 600):
        time.sleep(1)
    print(f"  consumers idle {time.perf_counter() - started:.1f} s later "
          f"({backlog} events were still queued{'; ' + str(left) + ' still are' if left else ''})")


@dataclass
class Run:
    """What the sections share: the API, this run's username prefix and its authors."""

    base_url: str
    aws_url: str | None  # the stack's AWS endpoint, to see its queues; None: unknown
    log: Any = None  # the stack's output (a file), when this run started the stack
    prefix: str = field(default_factory=lambda: "b" + secrets.token_hex(4))
    _authors: list[User] = field(default_factory=list)

    def username(self, role: str, number: int) -> str:
        return f"{self.prefix}_{role}{number}"

    def new_users(self, role: str, count: int) -> list[User]:
        names = [self.username(role, number) for number in range(count)]
        with ThreadPoolExecutor(SEED_WORKERS) as pool:
            return list(pool.map(lambda name: new_user(thread_client(self.base_url), name), names))

    def authors(self, count: int) -> list[User]:
        """`count` authors with POSTS_PER_AUTHOR posts each, seeding those not seeded yet."""
        first = len(self._authors)
        if count > first:
            started = time.perf_counter()
            with ThreadPoolExecutor(SEED_WORKERS) as pool:
                self._authors += pool.map(self.new_author, range(first, count))
            print(f"  seeded {count - first} authors with {POSTS_PER_AUTHOR} posts each "
                  f"in {time.perf_counter() - started:.1f} s")
        return self._authors[:count]

    def new_author(self, number: int) -> User:
        client = thread_client(self.base_url)
        author = new_user(client, self.username("author", number))
        for post_number in range(POSTS_PER_AUTHOR):
            post(client, author, f"post {post_number} of {author.username}")
        return author

    def follow(self, followees_by_follower: list[tuple[User, list[User]]]) -> None:
        with ThreadPoolExecutor(SEED_WORKERS) as pool:
            list(pool.map(lambda pair: follow_all(thread_client(self.base_url), *pair), followees_by_follower))


# --- the sections ------------------------------------------------------------------


def bench_keepalive(run: Run) -> None:
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


def bench_feed(run: Run) -> None:
    count = setting("FEED_REQUESTS", 100)
    print(f"\nfeed: GET /api/feed (20 a page) at 5 and at 200 followees, {POSTS_PER_AUTHOR} posts each")
    authors = run.authors(200)
    reader_5, reader_200 = run.new_users("reader", 2)
    started = time.perf_counter()
    run.follow([(reader_5, authors[:5]), (reader_200, authors)])
    print(f"  followed (5 + 200) in {time.perf_counter() - started:.1f} s")
    client = Client(run.base_url)
    # A timeline keeps its newest FEED_TIMELINE_CAP entries (the stack's setting, which this one's environment gives).
    full = {followees: min(followees * POSTS_PER_AUTHOR, setting("FEED_TIMELINE_CAP", 800)) for followees in (5, 200)}
    waited = wait_for_feeds(client, {
        "5 followees": (reader_5, full[5]), "200 followees": (reader_200, full[200]),
    })
    print(f"  both feeds complete ({full[5]} and {full[200]} posts) {waited:.1f} s after the last follow")
    wait_for_idle_pipeline(run)
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


@dataclass
class Outcome:
    kind: str  # feed, notifications or post
    seconds: float
    error: str | None  # None when the status was the expected one


def throughput_client(base_url: str, user: User, deadline: float, outcomes: list[Outcome]) -> None:
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


def bench_throughput(run: Run) -> None:
    seconds = setting("BENCH_SECONDS", 30)
    print(f"\nthroughput: {THROUGHPUT_CLIENTS} concurrent clients for {seconds} s, "
          "40% feed, 40% notifications, 20% posts")
    authors = run.authors(FOLLOWEES_PER_CLIENT)
    clients = run.new_users("client", THROUGHPUT_CLIENTS)
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
    wait_for_idle_pipeline(run)

    outcomes_by_client = [[] for _ in clients]
    started = time.perf_counter()
    threads = [
        threading.Thread(target=throughput_client, args=(run.base_url, user, started + seconds, outcomes))
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


def event_latency(client: Client, username: str) -> float:
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


def bench_events(run: Run) -> None:
    runs = setting("RUNS", 30)
    print(f"\nevents: user.registered -> found by GET /api/search/users, {runs} runs")
    client = Client(run.base_url)
    latencies = [event_latency(client, run.username("searched", number)) for number in range(runs)]
    client.close()
    print(f"  median {ms(statistics.median(latencies))}, p90 {ms(percentile(latencies, 90))}, "
          f"worst {ms(max(latencies))}")


def lambda_bundle() -> Path:
    """What the deployment package holds: the code and the Lambda's
    requirements (requirements.txt, Chalice's runtime), without the
    development tools (some of which, like cryptography, the app's libraries
    would pick up and pay for if they were there) and without bytecode."""
    bundle = Path(tempfile.mkdtemp(prefix="lambda-bundle-"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--require-hashes", "--no-compile", "--target", str(bundle), "-r", str(ROOT / "requirements.txt")],
                   check=True)
    import chalice
    import chalice.app

    (bundle / "chalice").mkdir()
    for module, name in ((chalice, "__init__.py"), (chalice.app, "app.py")):
        shutil.copy(module.__file__, bundle / "chalice" / name)
    shutil.copy(ROOT / "app.py", bundle)
    shutil.copytree(ROOT / "chalicelib", bundle / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    return bundle


def import_seconds(module: str, bundle: Path, bytecode: bool) -> float:
    """How long a new Python process, seeing only the standard library and
    the bundle, takes to import module, as it measures itself. Without
    bytecode, it compiles the bundle's modules as it imports them and keeps
    nothing, as Lambda does with a package that holds no bytecode for its
    runtime (its filesystem is read-only)."""
    probe = f"import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=bundle, env=bundle_env(bundle, bytecode),
                            capture_output=True, text=True, check=True)
    return float(result.stdout)


def bundle_env(bundle: Path, bytecode: bool) -> dict:
    """-S and this: the process sees the standard library and the bundle, not the virtualenv."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("AWS_") and name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(bundle)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# What each kind of function imports first (its handler's module), and the floor.
COLD_MODULES = {"boto3": "bare boto3", "chalicelib.consumers": "a consumer", "app": "the API"}


def bench_coldstart(run: Run) -> None:
    runs = setting("IMPORT_RUNS", 10)
    print(f"\ncoldstart: import in a new process that sees only the deployment package's contents, {runs} runs each")
    bundle = lambda_bundle()
    try:
        # Without bytecode first: nothing has written any yet.
        for bytecode in (False, True):
            seconds = {module: [] for module in COLD_MODULES}
            if bytecode:
                for module in COLD_MODULES:
                    subprocess.run([sys.executable, "-S", "-c", f"import {module}"], cwd=bundle, check=True,
                                   env=bundle_env(bundle, bytecode=True))
            for _ in range(runs):
                for module in seconds:  # alternating, so that the machine's load weighs on all alike
                    seconds[module].append(import_seconds(module, bundle, bytecode))
            print("  with the bundle's bytecode cached:" if bytecode else
                  "  as Lambda runs a package without bytecode (compiled at every cold start):")
            floor = statistics.median(seconds["boto3"])
            for module, samples in seconds.items():
                median = statistics.median(samples)
                print(f"    import {module:<20} ({COLD_MODULES[module]:<10}) median {ms(median)}, "
                      f"{median / floor:.2f}x boto3")
    finally:
        shutil.rmtree(bundle)


def twelve_megapixels() -> bytes:
    """A camera-like 12 MP JPEG: noise compresses as a photo does, unlike a flat colour."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 40)
    image = Image.merge("RGB", (noise, noise.rotate(180), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def handled_lines(log, since: int, consumer: str, types: tuple[str, ...] | None = None) -> list[dict]:
    """The consumer's lines for the events (of those types, if given) it
    handled since the log offset."""
    log.flush()
    log.seek(since)
    lines = []
    for raw in log.read().decode(errors="replace").splitlines():
        try:
            line = json.loads(raw)
        except ValueError:
            continue
        if (isinstance(line, dict) and line.get("consumer") == consumer and line.get("outcome") == "done"
                and (types is None or line.get("type") in types)):
            lines.append(line)
    return lines


# Runs in a new process: prints the seconds that making the renditions of
# the file named by argv[1] took, the process's peak RSS (bytes) and its RSS
# before reading the file (the imports); argv[2] "full" turns JPEG draft
# mode off, so the photo is decoded at full size first (the baseline).
RENDITIONS_PROBE = """
import os, resource, sys, time
from PIL import JpegImagePlugin
from chalicelib import renditions
def peak_rss():
    # Linux's VmHWM is this process's own; ru_maxrss there also counts the
    # parent's size at fork (the bench's), which would hide a smaller peak.
    if os.path.exists("/proc/self/status"):
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # macOS: bytes
imported = peak_rss()
if sys.argv[2] == "full":
    JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
made = renditions.renditions_of(data)
seconds = time.perf_counter() - started
print(seconds, peak_rss(), imported)
"""


def bench_photos(run: Run) -> None:
    runs = setting("PHOTO_RUNS", 10)
    photo = twelve_megapixels()
    print(f"\nphotos: a 12 MP JPEG ({len(photo) / 1e6:.1f} MB), {runs} uploads")
    client = Client(run.base_url)
    [owner] = run.new_users("photos", 1)
    if run.log is not None:
        run.log.seek(0, os.SEEK_END)
        since = run.log.tell()
    until_ready = []
    for _ in range(runs):
        media = client.call("POST", "/api/media", {"content_type": "image/jpeg", "size_bytes": len(photo)},
                            token=owner.token, expect=201)
        upload(media["upload"], photo, "image/jpeg")
        uploaded = time.perf_counter()
        while True:
            status = client.call("GET", f"/api/media/{media['id']}", token=owner.token)["status"]
            if status != "pending":
                break
            time.sleep(0.01)
        if status != "ready":
            raise BenchError(f"the photo was {status}")
        until_ready.append(time.perf_counter() - uploaded)
    client.close()
    if run.aws_url:
        wait_for_idle_pipeline(run)  # the last invocation logs its line after the media is ready
    print(f"  upload's response -> ready:      median {ms(statistics.median(until_ready))}, "
          f"worst {ms(max(until_ready))}")
    if run.log is not None:
        processing = [line["duration_ms"] / 1000 for line in handled_lines(run.log, since, "uploads")]
        print(f"  the uploads consumer's own time: median {ms(statistics.median(processing))}, "
              f"worst {ms(max(processing))} ({len(processing)} invocations)")
    with tempfile.NamedTemporaryFile(suffix=".jpg") as file:
        file.write(photo)
        file.flush()
        measured = {}
        for way in ("draft", "full"):
            samples = [subprocess.run([sys.executable, "-c", RENDITIONS_PROBE, file.name, way], cwd=ROOT,
                                      capture_output=True, text=True, check=True).stdout.split()
                       for _ in range(3)]
            seconds = statistics.median(float(sample[0]) for sample in samples)
            peak = statistics.median(int(sample[1]) for sample in samples)
            imported = statistics.median(int(sample[2]) for sample in samples)
            measured[way] = (seconds, peak - imported)
            label = "as the consumer does (draft)" if way == "draft" else "decoded at full size (baseline)"
            print(f"  renditions, {label + ':':<34} {ms(seconds)}, peak RSS {peak / 2**20:.0f} MiB "
                  f"({(peak - imported) / 2**20:.0f} MiB over the imports'; median of 3 processes)")
        print(f"  draft / full:                    time {measured['draft'][0] / measured['full'][0]:.2f}x, "
              f"memory over the imports' {measured['draft'][1] / measured['full'][1]:.2f}x")


def aws_client(aws_url: str, service: str):
    import boto3  # only here: the rest of the bench speaks plain HTTP

    return boto3.client(service, endpoint_url=aws_url, aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


# The tables of the stack this bench starts (its RESOURCE_PREFIX).
LOCAL_TABLES = "instagram-local"


def seed_followers(run: Run, author: User, count: int) -> list[int]:
    """count follows of author, written straight into the stack's table (the
    followers need no account for a fan-out to reach their timelines)."""
    dynamodb = aws_client(run.aws_url, "dynamodb")
    base = time.time_ns() // 1000 % 2**40 * 1000
    followers = [base + number for number in range(1, count + 1)]
    for start in range(0, count, 25):
        dynamodb.batch_write_item(RequestItems={f"{LOCAL_TABLES}-follows": [{"PutRequest": {"Item": {
            "follower_id": {"N": str(follower)}, "followee_id": {"N": str(author.user_id)},
            "follow_id": {"N": str(follower)}}}} for follower in followers[start:start + 25]]})
    return followers


def bench_fanout(run: Run) -> None:
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
        wait_for_idle_pipeline(run)
        run.log.seek(0, os.SEEK_END)
        since = run.log.tell()
        client = Client(run.base_url)
        started = time.perf_counter()
        post_id = client.call("POST", "/api/posts", {"content": "to everyone"}, token=author.token,
                              expect=201)["id"]
        client.close()
        while queued_events(run.aws_url):
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        lines = handled_lines(run.log, since, "feed", ("post.created", "feed.fanout_continued"))
        durations = [line["duration_ms"] for line in lines]
        dynamodb = aws_client(run.aws_url, "dynamodb")
        sample = random.sample(followers, min(100, size))
        held = sum("Item" in dynamodb.get_item(TableName=f"{LOCAL_TABLES}-feed", Key={
            "owner_id": {"N": str(follower)}, "item_id": {"N": str(post_id)}}) for follower in sample)
        longest[size] = max(durations)
        print(f"  {size:,} followers: every timeline holds the post {elapsed:.1f} s after it was created "
              f"({held}/{len(sample)} sampled timelines checked); {len(lines)} invocations, longest "
              f"{longest[size]:.0f} ms, median {statistics.median(durations):.0f} ms")
    if len(sizes) > 1:
        print(f"  longest invocation, {sizes[-1]:,} / {sizes[0]:,} followers: "
              f"{longest[sizes[-1]] / longest[sizes[0]]:.2f}")
    bench_merged_feeds(run)


def bench_merged_feeds(run: Run) -> None:
    """GET /api/feed for readers following 0, 5 and 50 large accounts (of
    POSTS_PER_AUTHOR posts each; marked large and followed straight in the
    stack's tables), alternating, FEED_REQUESTS times each."""
    count = setting("FEED_REQUESTS", 100)
    stars = run.authors(50)
    dynamodb = aws_client(run.aws_url, "dynamodb")
    for star in stars:
        dynamodb.update_item(TableName=f"{LOCAL_TABLES}-users", Key={"user_id": {"N": str(star.user_id)}},
                             UpdateExpression="SET is_large = :yes", ExpressionAttributeValues={":yes": {"BOOL": True}})
    readers = dict(zip((0, 5, 50), run.new_users("merging", 3)))
    for followed, reader in readers.items():
        for number, star in enumerate(stars[:followed]):
            keys = {"follower_id": {"N": str(reader.user_id)}}
            dynamodb.put_item(TableName=f"{LOCAL_TABLES}-large-follows",
                              Item={**keys, "author_id": {"N": str(star.user_id)}})
            dynamodb.put_item(TableName=f"{LOCAL_TABLES}-follows", Item={
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


BENCHES = {"keepalive": bench_keepalive, "feed": bench_feed, "throughput": bench_throughput, "events": bench_events,
           "fanout": bench_fanout, "photos": bench_photos, "coldstart": bench_coldstart}


# --- main ------------------------------------------------------------------------


def selected_sections() -> list[str]:
    names = [name.strip() for name in os.environ.get("BENCH", ",".join(SECTIONS)).split(",") if name.strip()]
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        raise SystemExit(f"BENCH: unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return [name for name in SECTIONS if name in names]


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    sections = selected_sections()
    started = time.perf_counter()
    print(f"bench: commit {commit()}, {os.cpu_count()} CPUs, sections {', '.join(sections)}")
    try:
        with api_base_url() as (base_url, aws_url, log):
            run = Run(base_url, aws_url, log)
            print(f"users: {run.prefix}_*")
            for name in sections:
                BENCHES[name](run)
    except (BenchError, UnexpectedAnswer) as error:
        raise SystemExit(f"bench failed: {error}") from None
    except (OSError, http.client.HTTPException) as error:
        raise SystemExit(f"bench failed: the API did not answer: {error!r}") from None
    print(f"\ndone in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
