"""`make bench`'s live-updates section: how long a message takes from its
POST /api/messages being answered to its frame arriving on the receiver's
WebSocket, with nothing else running (idle). Median, p90 and worst.

    .venv/bin/python scripts/bench_realtime.py            # starts its own make run on free ports
    BASE_URL=http://127.0.0.1:8000 .venv/bin/python scripts/bench_realtime.py   # against a running stack
    MESSAGES=200 ...                                       # how many (default 100, after 5 to warm up)

Self-contained, to be moved into scripts/bench/ beside the other sections.
"""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 5
FRAME_WAIT_SECONDS = 30
UNLIMITED = str(10**9)


class Api:
    """One keep-alive HTTP connection, as an app holds."""

    def __init__(self, base_url: str):
        parts = urlsplit(base_url)
        self._connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)

    def call(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._connection.request(method, path, json.dumps(body) if body is not None else None, headers)
        response = self._connection.getresponse()
        raw = response.read()
        answer = json.loads(raw) if raw else None
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {answer}")
        return answer

    def close(self) -> None:
        self._connection.close()


def new_user(api: Api, prefix: str) -> tuple[int, str]:
    name = f"{prefix}{uuid.uuid4().hex[:10]}"
    api.call("POST", "/api/auth/register", {"username": name, "email": f"{name}@example.com",
                                            "password": "correct horse"})
    token = api.call("POST", "/api/auth/login", {"email": f"{name}@example.com",
                                                 "password": "correct horse"})["access_token"]
    return api.call("GET", "/api/auth/me", token=token)["id"], token


def message_latencies(base_url: str, count: int) -> list[float]:
    """Seconds from each POST /api/messages answered to its frame received."""
    api = Api(base_url)
    try:
        _, sender = new_user(api, "rtsend")
        receiver_id, receiver = new_user(api, "rtrecv")
        url = api.call("GET", "/api/realtime")["url"]
        latencies = []
        with connect(f"{url}/?token={receiver}", open_timeout=FRAME_WAIT_SECONDS) as websocket:
            for number in range(WARM_UP + count):
                sent = api.call("POST", "/api/messages", {"receiver_id": receiver_id, "content": f"m{number}"},
                                sender)
                answered = time.perf_counter()
                while True:
                    frame = json.loads(websocket.recv(timeout=FRAME_WAIT_SECONDS))
                    if frame.get("type") == "message" and frame["message"]["id"] == sent["id"]:
                        break
                if number >= WARM_UP:
                    latencies.append(time.perf_counter() - answered)
        return latencies
    finally:
        api.close()


def percentile(samples: list[float], percent: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]


def report(latencies: list[float]) -> str:
    def ms(seconds: float) -> str:
        return f"{seconds * 1000:.1f} ms"

    return (f"message to frame, idle ({len(latencies)} messages): median {ms(statistics.median(latencies))}, "
            f"p90 {ms(percentile(latencies, 90))}, worst {ms(max(latencies))}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def stack():
    """BASE_URL, or a make run of its own on free ports, stopped after."""
    if os.environ.get("BASE_URL"):
        yield os.environ["BASE_URL"].rstrip("/")
        return
    port = free_port()
    env = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    env.update(PORT=str(port), MOTO_PORT=str(free_port()), BCRYPT_ROUNDS="4", WRITES_PER_USER=UNLIMITED)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_healthy(base_url, process, log)
            yield base_url
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"the local stack exited:\n{log.read().decode(errors='replace')[-3000:]}")
        api = Api(base_url)
        try:
            api.call("GET", "/api/health")
            return
        except OSError:
            time.sleep(0.2)
        finally:
            api.close()
    raise SystemExit("the local stack did not answer within 120 s")


def main() -> None:
    count = int(os.environ.get("MESSAGES", "100"))
    with stack() as base_url:
        print(report(message_latencies(base_url, count)), flush=True)


if __name__ == "__main__":
    main()
