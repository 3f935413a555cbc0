"""An embedded moto server that keeps DynamoDB's promises under concurrency.

moto's server answers each request on its own thread, and its backends take
no locks: two concurrent TransactWriteItems could both pass their conditions.
Requests are therefore served one at a time, except SQS long polls, which
only wait for messages and would otherwise stall everything for seconds.
"""
from __future__ import annotations

import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

_UNSERIALISED_TARGETS = {"AmazonSQS.ReceiveMessage"}


class SerialisedApp:
    def __init__(self, app):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("HTTP_X_AMZ_TARGET") in _UNSERIALISED_TARGETS:
            return self._app(environ, start_response)
        with self._lock:
            # Consume the body while holding the lock: the backend does its
            # work while the response is produced.
            return list(self._app(environ, start_response))


class LocalAws:
    """moto on host:port, in a background thread of this process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000):
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "LocalAws":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
