"""The two ways to develop (docs/development.md): `chalice local` for the
routes beside `make aws`, and `make run`, which reloads on change."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Http, free_port, running_stack, stack_environment, wait_until

pytestmark = pytest.mark.e2e
TIMEOUT = 120  # a reload starts four processes, on a machine that may be busy


def register_and_login(http: Http, username: str) -> str:
    status, user = http.post("/api/auth/register", {
        "username": username, "email": f"{username}@example.com", "password": "correct horse"})
    assert status == 201, user
    return logged_in(http, username)


def logged_in(http: Http, username: str) -> str:
    status, body = http.post("/api/auth/login", {"email": f"{username}@example.com", "password": "correct horse"})
    assert status == 200, body
    return body["access_token"]


def test_chalice_local_publishes_to_make_aws_at_once_so_a_new_user_is_found_without_the_outbox_relay():
    # The relay would publish an event whose publishing failed only after an
    # hour: the user can be found only if chalice local published it.
    with running_stack(["--aws-only"], OUTBOX_RELAY_SECONDS="3600") as aws:
        port = free_port()
        env = {**stack_environment(), "AWS_ENDPOINT_URL": aws.http.aws_url, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}
        chalice = subprocess.Popen(
            [str(Path(sys.executable).parent / "chalice"), "local", "--stage", "local", "--port", str(port),
             "--no-autoreload"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        http = Http(f"http://127.0.0.1:{port}")
        try:
            def serving():
                assert chalice.poll() is None, "chalice local exited"
                try:
                    return http.get("/api/health") == (200, {"status": "ok"})
                except OSError:
                    return False

            wait_until(serving, timeout=60, interval=0.2)
            username = f"local{os.getpid()}"
            status, user = http.post("/api/auth/register", {
                "username": username, "email": f"{username}@example.com", "password": "correct horse"})
            assert status == 201, user

            def found():
                status, users = http.get(f"/api/search/users?q={username}")
                return status == 200 and [u["id"] for u in users] == [user["id"]]

            wait_until(found, timeout=30)
        finally:
            chalice.terminate()
            chalice.wait(timeout=20)


EDITED_ROUTE = '''

@api.route("/api/health/{name}", methods=["GET"], response=StatusResponse, summary="Added while running")
def added_{name}():
    return {{"status": "ok"}}
'''


def test_make_run_serves_an_edited_route_without_a_restart_and_the_previous_code_through_a_syntax_error(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    for name in ("app.py", "chalicelib", ".chalice", "infra"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, project / name)
    routes = project / "chalicelib" / "api" / "health.py"

    with running_stack(cwd=project) as stack:
        http = stack.http
        username = f"reload{os.getpid()}"
        register_and_login(http, username)
        assert http.get("/api/health/first")[0] == 403  # the gateway's: no such route

        routes.write_text(routes.read_text() + EDITED_ROUTE.format(name="first"))
        wait_until(lambda: http.get("/api/health/first") == (200, {"status": "ok"}), timeout=TIMEOUT)
        assert logged_in(http, username)  # the embedded AWS kept its data

        before = len(stack.log())
        routes.write_text(routes.read_text() + "\ndef broken(:\n")
        wait_until(lambda: stack.running() and "Not reloaded" in stack.log()[before:], timeout=TIMEOUT)
        assert "SyntaxError" in stack.log()[before:]
        assert http.get("/api/health/first") == (200, {"status": "ok"})

        routes.write_text(routes.read_text().replace("\ndef broken(:\n", EDITED_ROUTE.format(name="second")))
        wait_until(lambda: http.get("/api/health/second") == (200, {"status": "ok"}), timeout=TIMEOUT)
        assert http.get("/api/health/first") == (200, {"status": "ok"})
