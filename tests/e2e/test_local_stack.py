"""`make run` end to end: the API on chalice local, moto behind it, the pump
delivering events to the consumers."""
import itertools
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalicelib.consumers import CONSUMERS
from tests.e2e.conftest import ROOT, Http, free_port, wait_until

pytestmark = pytest.mark.e2e
_names = itertools.count()


def unique(prefix: str) -> str:
    return f"{prefix}{os.getpid()}x{next(_names)}"


def test_register_login_me_and_search(local_stack):
    username = unique("e2e")
    status, user = local_stack.post("/api/auth/register", {
        "username": username, "email": f"{username}@example.com",
        "password": "correct horse", "full_name": "End Toend"})
    assert status == 201, user

    status, body = local_stack.post("/api/auth/login", {
        "email": f"{username}@example.com", "password": "correct horse"})
    assert status == 200
    token = body["access_token"]
    assert local_stack.get("/api/auth/me", token) == (200, user)
    assert local_stack.get("/api/auth/me")[0] == 401

    def found():
        status, users = local_stack.get(f"/api/search/users?q={username}")
        return status == 200 and [u["id"] for u in users] == [user["id"]]

    wait_until(found, timeout=10)


def test_one_address_can_log_in_500_times_in_a_row(local_stack):
    username = unique("many")
    status, _ = local_stack.post("/api/auth/register", {
        "username": username, "email": f"{username}@example.com", "password": "correct horse"})
    assert status == 201
    statuses = [
        local_stack.post("/api/auth/login", {"email": f"{username}@example.com", "password": "correct horse"})[0]
        for _ in range(500)
    ]
    assert statuses == [200] * 500


def test_outside_tools_reach_the_same_aws_over_http(local_stack):
    """What `make dead-letters` runs, in a process of its own."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("AWS_") and key not in ("RESOURCE_PREFIX", "STAGE")}
    env.update(AWS_ENDPOINT_URL=local_stack.aws_url, AWS_ACCESS_KEY_ID="testing",
               AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    result = subprocess.run([sys.executable, "-m", "infra.dead_letters", "counts"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == [f"{consumer.name}: 0" for consumer in CONSUMERS]


def test_an_unknown_method_is_405_with_a_detail(local_stack):
    for method in ("TRACE", "PROPFIND"):
        status, body = local_stack.request(method, "/api/health")
        assert status == 405 and body == {"detail": f"Method {method} is not allowed"}
    assert local_stack.get("/api/health") == (200, {"status": "ok"})


def test_every_local_answer_says_how_many_dynamodb_calls_it_took(local_stack):
    def calls(path: str) -> int:
        try:
            with urllib.request.urlopen(local_stack.base_url + path, timeout=30) as response:
                return int(response.headers["X-DynamoDB-Calls"])
        except urllib.error.HTTPError as error:
            return int(error.headers["X-DynamoDB-Calls"])

    assert calls("/api/health") == 0
    assert calls("/api/users/999999") == 1  # one GetItem: not found


def test_an_unknown_path_is_the_gateways_403_with_a_detail(local_stack):
    assert local_stack.get("/api/no-such-thing") == (403, {"detail": "Missing Authentication Token"})


def test_a_browser_from_any_origin_may_call_the_local_stack_and_read_its_gateways_errors(local_stack):
    def headers_of(method: str, path: str) -> tuple[int, dict]:
        request = urllib.request.Request(local_stack.base_url + path, method=method,
                                         headers={"Origin": "http://localhost:3000"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)

    for method, path, expected in (("OPTIONS", "/api/posts", 204), ("GET", "/api/no-such-thing", 403),
                                   ("TRACE", "/api/health", 405)):
        status, headers = headers_of(method, path)
        assert status == expected and headers["Access-Control-Allow-Origin"] == "*", (method, path)


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
    websocket_port = int(http.get("/api/realtime")[1]["url"].rsplit(":", 1)[1])
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=20) == 0
    for used in (port, moto_port, websocket_port):
        with pytest.raises(OSError):
            Http(f"http://127.0.0.1:{used}").get("/api/health")
