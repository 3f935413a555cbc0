"""The real local stack (`make run`) on free ports, driven over HTTP."""
import contextlib
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


def stack_environment() -> dict:
    """The environment the local stack runs in: no AWS of the test run's."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env["BCRYPT_ROUNDS"] = "4"
    for name in ("RESOURCE_PREFIX", "EVENTS_TOPIC_ARN"):
        env.pop(name, None)
    return env


class Stack:
    """`python -m infra.local` running: http for its API, log() for what it printed."""

    def __init__(self, process: subprocess.Popen, output, http: Http):
        self.process, self._output, self.http = process, output, http

    def log(self) -> str:
        self._output.seek(0)
        return self._output.read()

    def running(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"make run exited: {self.log()}")
        return True


@contextlib.contextmanager
def running_stack(arguments=(), cwd: Path = ROOT, **environment):
    """`make run` (or, with --aws-only, `make aws`) on free ports, from the
    project at cwd, until it printed that it is up."""
    port, moto_port = free_port(), free_port()
    env = {**stack_environment(), "PORT": str(port), "MOTO_PORT": str(moto_port), **environment}
    # A file, not a pipe: nobody reads the stack's output while tests run.
    # Appended to, so that reading it (from the start) leaves the writer at its end.
    output = tempfile.TemporaryFile(mode="a+")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local", *arguments], cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT,
    )
    stack = Stack(process, output, Http(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}"))
    try:
        wait_until(lambda: stack.running() and "stops everything" in stack.log(), timeout=90, interval=0.2)
        yield stack
    except BaseException:
        print(stack.log()[-20_000:])  # shown with the failure
        raise
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)  # its workers first finish what they took
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        finally:
            output.close()


@pytest.fixture(scope="session")
def local_stack():
    with running_stack() as stack:
        wait_until(lambda: stack.http.get("/api/health") == (200, {"status": "ok"}), timeout=30)
        yield stack.http
