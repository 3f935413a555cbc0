"""The real local stack (`make run`) on free ports, driven over HTTP."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Http:
    def __init__(self, base_url: str, aws_url: str | None = None):
        self.base_url = base_url
        self.aws_url = aws_url  # the embedded AWS's endpoint, for outside tools

    def request(self, method: str, path: str, body=None, token: str | None = None):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def get(self, path, token=None):
        return self.request("GET", path, token=token)

    def post(self, path, body=None, token=None):
        return self.request("POST", path, body, token)


def wait_until(check, timeout: float, interval: float = 0.05):
    """Polls check() until it returns something truthy; fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


@pytest.fixture(scope="session")
def local_stack():
    port, moto_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(PORT=str(port), MOTO_PORT=str(moto_port), BCRYPT_ROUNDS="4")
    for name in ("RESOURCE_PREFIX", "EVENTS_TOPIC_ARN"):
        env.pop(name, None)
    # A file, not a pipe: nobody reads the stack's output while tests run.
    output = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
    )
    http = Http(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}")

    def healthy():
        if process.poll() is not None:
            output.seek(0)
            raise AssertionError(f"make run exited: {output.read()}")
        try:
            return http.get("/api/health") == (200, {"status": "ok"})
        except OSError:
            return False

    try:
        wait_until(healthy, timeout=90, interval=0.2)
        yield http
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            output.close()
