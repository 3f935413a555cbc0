"""`make run` end to end: the API on chalice local, moto behind it, the pump
delivering events to the consumers."""
import itertools
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import ROOT, Http, free_port, wait_until

pytestmark = pytest.mark.e2e
_names = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid()}x{next(_names)}"


def test_register_login_me_and_search_within_a_second(local_stack):
    username = unique("e2e")
    status, user = local_stack.post("/api/auth/register", {
        "username": username, "email": f"{username}@example.com",
        "password": "correct horse", "full_name": "End Toend"})
    assert status == 201, user
    registered_at = time.monotonic()

    status, body = local_stack.post("/api/auth/login", {
        "email": f"{username}@example.com", "password": "correct horse"})
    assert status == 200
    token = body["access_token"]
    assert local_stack.get("/api/auth/me", token) == (200, user)
    assert local_stack.get("/api/auth/me")[0] == 401

    def found():
        status, users = local_stack.get(f"/api/search/users?q={username}")
        return status == 200 and [u["id"] for u in users] == [user["id"]]

    wait_until(found, timeout=5)
    assert time.monotonic() - registered_at < 1.0


def test_concurrent_registrations_of_one_username_let_exactly_one_win(local_stack):
    username = unique("race")

    def attempt(number: int):
        return local_stack.post("/api/auth/register", {
            "username": username, "email": f"{username}.{number}@example.com",
            "password": "correct horse"})

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(attempt, range(8)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [400] * 7, results
    assert all(body == {"detail": "Username already taken"} for status, body in results if status == 400)


def test_errors_are_json_details_over_http(local_stack):
    status, body = local_stack.request("POST", "/api/auth/login", None)
    assert 400 <= status < 500 and set(body) == {"detail"}


def test_ctrl_c_stops_everything_and_frees_the_ports():
    port, moto_port = free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(PORT=str(port), MOTO_PORT=str(moto_port))
    process = subprocess.Popen([sys.executable, "-m", "infra.local"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    http = Http(f"http://127.0.0.1:{port}")

    def healthy():
        try:
            return http.get("/api/health")[0] == 200
        except OSError:
            return False

    wait_until(healthy, timeout=90, interval=0.2)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    for used in (port, moto_port):
        with pytest.raises(OSError):
            Http(f"http://127.0.0.1:{used}").get("/api/health")
