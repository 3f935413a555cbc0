"""How long an event takes from the API's response to its effect, on the
local stack: registers users and times how long until search finds each.

    make bench                      # starts its own local stack on free ports
    BASE_URL=http://127.0.0.1:8000 make bench   # against a running `make run`

Prints the median, 90th percentile and worst of N (default 100) runs.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def request(base_url: str, method: str, path: str, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base_url + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return json.loads(response.read())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_stack() -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PORT=str(port), MOTO_PORT=str(free_port()), BCRYPT_ROUNDS="4")
    process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            request(base_url, "GET", "/api/health")
            return base_url, process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the local stack did not start")


def one_event_latency(base_url: str) -> float:
    username = "b" + uuid.uuid4().hex[:20]
    request(base_url, "POST", "/api/auth/register",
            {"username": username, "email": f"{username}@example.com", "password": "correct horse"})
    responded = time.perf_counter()
    while True:
        if request(base_url, "GET", f"/api/search/users?q={username}"):
            return time.perf_counter() - responded
        if time.perf_counter() - responded > 30:
            raise SystemExit(f"{username} never became searchable")
        time.sleep(0.005)


def main() -> None:
    runs = int(os.environ.get("RUNS", "100"))
    base_url, process = os.environ.get("BASE_URL"), None
    if not base_url:
        base_url, process = start_stack()
    try:
        latencies = sorted(one_event_latency(base_url) for _ in range(runs))
    finally:
        if process:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=20)
    print(f"user.registered -> searchable, {runs} runs: "
          f"median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p90 {latencies[int(runs * 0.9) - 1] * 1000:.0f} ms, "
          f"worst {latencies[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
