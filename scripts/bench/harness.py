"""What every section of the bench shares: the stack it measures (started
and stopped here, or the one BASE_URL names), that stack's log, read
through the project's log format, and the users, posts and follows the
sections seed."""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from api_client import Client, UnexpectedAnswer

from chalicelib.config import resource_name
from chalicelib.logs import parse_line

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse"
POSTS_PER_AUTHOR = 5
SEED_WORKERS = 8
# Far above anything a benchmark run does, so the app's limits never answer 429.
UNLIMITED = "100000"


class BenchError(Exception):
    pass


def setting(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def table(logical_name: str) -> str:
    """A table of the stack this bench measures, named as the app names it:
    the bench passes its own environment (STAGE, RESOURCE_PREFIX) to the
    stack it starts."""
    return resource_name(logical_name)


# --- the stack's log ---------------------------------------------------------------


class StackLog:
    """The output of the stack this run started: the app's lines (JSON, as
    chalicelib/logs.py writes them) and the local stack's own text lines."""

    def __init__(self, file: IO[bytes]):
        self._file = file

    def mark(self) -> int:
        """Where the log ends now: what `entries` reads from."""
        self._file.flush()
        return self._file.seek(0, os.SEEK_END)

    def lines(self, since: int = 0) -> list[str]:
        self._file.flush()
        self._file.seek(since)
        lines = self._file.read().decode(errors="replace").splitlines()
        self._file.seek(0, os.SEEK_END)
        return lines

    def entries(self, since: int = 0) -> list[dict]:
        """The app's log lines written since the mark, parsed."""
        return [entry for line in self.lines(since) if (entry := parse_line(line)) is not None]

    def handled(self, since: int, consumer: str, types: tuple[str, ...] | None = None) -> list[dict]:
        """The consumer's lines for the events (of those types, if given) it handled since the mark."""
        return [entry for entry in self.entries(since)
                if entry.get("consumer") == consumer and entry.get("outcome") == "done"
                and (types is None or entry.get("type") in types)]

    def tail(self, count: int = 30) -> str:
        return "\n".join(self.lines()[-count:])

    def problems(self, count: int = 20) -> str:
        """The last `count` lines that tell of errors: the app's at WARNING or
        above, and the local stack's own error lines, tracebacks and
        dead-letter reports (infra/local.py)."""
        markers = (" ERROR ", " WARNING ", "Traceback", "dead letters:")
        problems = []
        for line in self.lines():
            entry = parse_line(line)
            if entry is not None:
                if entry["level"] in ("WARNING", "ERROR", "CRITICAL"):
                    problems.append(line)
            elif any(marker in line for marker in markers):
                problems.append(line)
        if not problems:
            return "(the local stack's log shows no errors and no dead letters)"
        return "the local stack's log says:\n" + "\n".join(problems[-count:])


# --- the stack ---------------------------------------------------------------------


@dataclass
class Stack:
    base_url: str
    aws_url: str | None  # its AWS endpoint, to see its queues and tables; None: unknown
    log: StackLog | None  # its output, when this run started it


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def stack() -> Iterator[Stack]:
    """BASE_URL and AWS_ENDPOINT_URL, or a local stack started for this run
    (and stopped after it) on free ports, with its log."""
    base_url = os.environ.get("BASE_URL")
    if base_url:
        print(f"stack: the running one at {base_url} (BASE_URL; its own rate limits apply)")
        yield Stack(base_url.rstrip("/"), os.environ.get("AWS_ENDPOINT_URL"), None)
        return
    port, moto_port = free_port(), free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(
        PORT=str(port), MOTO_PORT=str(moto_port), BCRYPT_ROUNDS="4", WRITES_PER_USER=UNLIMITED,
        LOGIN_ATTEMPTS_PER_ADDRESS=UNLIMITED, LOGIN_ATTEMPTS_PER_ACCOUNT=UNLIMITED,
    )
    with tempfile.TemporaryFile() as output:
        log = StackLog(output)
        process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env,
                                   stdout=output, stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            started = time.perf_counter()
            _wait_until_healthy(base_url, process, log)
            print(f"stack: started its own, python -m infra.local at {base_url} "
                  f"(up in {time.perf_counter() - started:.1f} s)")
            yield Stack(base_url, f"http://127.0.0.1:{moto_port}", log)
        except (BenchError, UnexpectedAnswer) as error:
            raise BenchError(f"{error}\n{log.problems()}") from None
        finally:
            _stop(process, log)


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: StackLog) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the local stack exited with {process.returncode}:\n{log.tail()}")
        client = Client(base_url)
        try:
            if client.request("GET", "/api/health").status == 200:
                return
        except OSError:
            pass
        finally:
            client.close()
        time.sleep(0.2)
    raise BenchError(f"the local stack did not answer /api/health within 120 s:\n{log.tail()}")


def _stop(process: subprocess.Popen, log: StackLog) -> None:
    if process.poll() is not None:
        print(f"the local stack had exited by itself ({process.returncode}):\n{log.tail()}", file=sys.stderr)
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def aws_client(aws_url: str, service: str):
    import boto3  # only here: the rest of the bench speaks plain HTTP

    return boto3.client(service, endpoint_url=aws_url, aws_access_key_id="testing",
                        aws_secret_access_key="testing",
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))


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


# --- users, posts and follows ------------------------------------------------------


_thread_clients = threading.local()


def thread_client(base_url: str) -> Client:
    """This thread's own keep-alive client, for work spread over a pool."""
    if not hasattr(_thread_clients, "client"):
        _thread_clients.client = Client(base_url)
    return _thread_clients.client


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


@dataclass
class Run:
    """What the sections share: the stack, this run's username prefix and its authors."""

    stack: Stack | None  # None when no selected section needs one
    prefix: str = field(default_factory=lambda: "b" + secrets.token_hex(4))
    _authors: list[User] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.stack.base_url

    @property
    def aws_url(self) -> str | None:
        return self.stack.aws_url

    @property
    def log(self) -> StackLog | None:
        return self.stack.log

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
                self._authors += pool.map(self._new_author, range(first, count))
            print(f"  seeded {count - first} authors with {POSTS_PER_AUTHOR} posts each "
                  f"in {time.perf_counter() - started:.1f} s")
        return self._authors[:count]

    def _new_author(self, number: int) -> User:
        client = thread_client(self.base_url)
        author = new_user(client, self.username("author", number))
        for post_number in range(POSTS_PER_AUTHOR):
            post(client, author, f"post {post_number} of {author.username}")
        return author

    def follow(self, followees_by_follower: list[tuple[User, list[User]]]) -> None:
        with ThreadPoolExecutor(SEED_WORKERS) as pool:
            list(pool.map(lambda pair: follow_all(thread_client(self.base_url), *pair), followees_by_follower))

    def wait_for_idle_pipeline(self) -> None:
        """Until the consumers have handled every event, so that reads are timed
        on their own, not while the stack still works through a seeding backlog."""
        if not self.aws_url:
            print("  (AWS_ENDPOINT_URL unknown: not waiting for the consumers to go idle)")
            return
        started, backlog = time.perf_counter(), queued_events(self.aws_url)
        while (left := queued_events(self.aws_url)) and \
                time.perf_counter() - started < setting("FEED_WAIT_SECONDS", 600):
            time.sleep(1)
        print(f"  consumers idle {time.perf_counter() - started:.1f} s later "
              f"({backlog} events were still queued{'; ' + str(left) + ' still are' if left else ''})")
