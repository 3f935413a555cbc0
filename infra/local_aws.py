"""The embedded AWS of `make run`: moto, keeping DynamoDB's promises under
concurrency.

The API, the event pump and the provisioner run in the same process as moto
and call it in-process (`mock_aws`): no HTTP hop, no socket. Outside tools
(the aws CLI, `make dead-letters`, anything given AWS_ENDPOINT_URL) reach the
same backends over HTTP.

moto's backends take no locks: two concurrent TransactWriteItems could both
pass their conditions. So every call, in-process or over HTTP, runs under one
lock (`OneAtATime`), except SQS long polls, which only wait for messages and
would otherwise stall everything for a second each.
"""
from __future__ import annotations

import contextlib
import threading

from moto import mock_aws
from moto.core.models import botocore_stubber
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

_UNSERIALISED_TARGETS = {"AmazonSQS.ReceiveMessage"}


class OneAtATime:
    """The lock every call into moto's backends takes."""

    def __init__(self):
        self._lock = threading.Lock()

    def turn(self, target: str | bytes | None):
        """Held while one call with this X-Amz-Target runs."""
        if isinstance(target, bytes):
            target = target.decode()
        return contextlib.nullcontext() if target in _UNSERIALISED_TARGETS else self._lock


class SerialisedApp:
    """moto's WSGI app, one request at a time."""

    def __init__(self, app, one_at_a_time: OneAtATime):
        self._app = app
        self._one_at_a_time = one_at_a_time

    def __call__(self, environ, start_response):
        with self._one_at_a_time.turn(environ.get("HTTP_X_AMZ_TARGET")):
            # Consume the body while holding the lock: the backend does its
            # work while the response is produced.
            return list(self._app(environ, start_response))


@contextlib.contextmanager
def in_process_calls_serialised(one_at_a_time: OneAtATime):
    """While inside, every botocore call that mock_aws answers in this
    process takes one_at_a_time's lock (for tests that race threads, too)."""
    answer = botocore_stubber.process_request

    def answer_in_turn(request):
        with one_at_a_time.turn(request.headers.get("X-Amz-Target")):
            return answer(request)

    botocore_stubber.process_request = answer_in_turn
    try:
        yield
    finally:
        botocore_stubber.process_request = answer


class _NoDelayHandler(MotoRequestHandler):
    # Headers and body leave in separate writes: with Nagle's algorithm on, a
    # keep-alive client (botocore pools its connections) waits ~40 ms for
    # its delayed ACK on every request.
    disable_nagle_algorithm = True


class LocalAws:
    """moto in this process, for this process's calls, and on host:port for
    everyone else's."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000):
        one_at_a_time = OneAtATime()
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app), one_at_a_time)
        self._server = make_server(host, port, app, threaded=True, request_handler=_NoDelayHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._one_at_a_time = one_at_a_time
        self._in_process = contextlib.ExitStack()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "LocalAws":
        self._in_process.enter_context(mock_aws())
        self._in_process.enter_context(in_process_calls_serialised(self._one_at_a_time))
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._in_process.close()
