"""The API of `make run`: chalice local's server and gateway, served by
worker processes on one listening socket (infra/local.py starts them).

Its request handler differs from chalice local's in five ways: a GET
outside /api/ and /local/ is a file of the web app (infra/web_files.py), every
response says how many DynamoDB calls it took (X-DynamoDB-Calls, local
only), responses go out without waiting for the client's delayed ACK, a method the server does
not know is `405 {"detail": ...}` (chalice local answers an HTML 501), and
the gateway's own errors (an unknown path) use the API's `{"detail": ...}`
shape and carry the CORS headers, as the deployed stage's gateway responses do.
"""
from __future__ import annotations

import functools
import json
import os
import socket
import threading
from pathlib import Path

from chalice.cli.factory import CLIFactory
from chalice.local import ChaliceRequestHandler, LocalGatewayException, ThreadedHTTPServer, create_local_server

from chalicelib.api import cors
from infra import web_files
from infra.local_aws import dynamodb_calls_counted


class ApiRequestHandler(ChaliceRequestHandler):
    # chalice writes headers and body separately: with Nagle's algorithm on,
    # every keep-alive client (browsers, SDKs, requests.Session) would wait
    # ~40 ms for its delayed ACK on every request.
    disable_nagle_algorithm = True

    # A new connection's first request was counted when it was accepted
    # (local_api); a kept-alive connection's next one when it comes.
    _in_flight = True

    def handle_one_request(self) -> None:
        dynamodb_calls_counted(start=True)
        try:
            super().handle_one_request()
        finally:
            if self._in_flight:
                self._in_flight = False
                self.server.in_flight.answered()

    def parse_request(self) -> bool:
        if not self._in_flight:
            self._in_flight = True
            self.server.in_flight.taken()
        return super().parse_request()

    def do_GET(self) -> None:
        if not web_files.is_web_path(self.path):
            return self._generic_handle()
        found = web_files.web_file(self.path)
        if found is None:
            return self._send_http_response(404, {}, json.dumps({"detail": "Not found"}))
        content_type, body = found
        self._send_http_response(200, {"Content-Type": content_type, "Cache-Control": "no-cache"}, body)

    def _send_http_response(self, code: int, headers: dict, body) -> None:
        # What the request cost: a developer sees its round trips with curl -i.
        super()._send_http_response(code, {**headers, "X-DynamoDB-Calls": str(dynamodb_calls_counted())}, body)

    def __getattr__(self, name: str):
        # http.server looks up do_<METHOD> and answers 501 when there is none.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def _method_not_allowed(self) -> None:
        self._parse_payload()  # read the body, so the connection stays usable
        self._send_http_response(405, self._cors_headers(),
                                 json.dumps({"detail": f"Method {self.command} is not allowed"}))

    def _send_error_response(self, error: LocalGatewayException) -> None:
        try:
            body = json.loads(error.body)
            message = body.get("message") or body["Message"]
        except (TypeError, ValueError, KeyError, AttributeError):
            return super()._send_error_response(error)
        self._send_http_response(error.CODE, {**error.headers, **self._cors_headers()}, json.dumps({"detail": message}))

    def _cors_headers(self) -> dict:
        return cors.headers_for(self.headers.get("Origin"))


class InFlight:
    """How many requests a server has taken and not yet answered."""

    def __init__(self):
        self._count = 0
        self._changed = threading.Condition()

    def taken(self) -> None:
        with self._changed:
            self._count += 1

    def answered(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def wait_for_none(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count == 0, timeout)


def local_api(project_dir: Path, listening: socket.socket, stage: str = "local") -> ThreadedHTTPServer:
    """The app of project_dir served on the listening socket with the
    stage's settings (environment variables included), as `chalice local`
    would serve it; its in_flight counts the requests being answered."""
    app, config = chalice_app(project_dir, stage)
    host, port = listening.getsockname()[:2]
    # chalice makes its server on a port of its own; ours accepts on the
    # socket all the workers share.
    server = create_local_server(app, config, host, 0).server
    server.socket.close()
    server.socket, server.server_address = listening, (host, port)
    server.RequestHandlerClass = functools.partial(ApiRequestHandler, app_object=app, config=config)
    # Counted as it is accepted, before its thread starts: a worker that
    # stops (make run reloading) answers every request it has taken.
    server.in_flight = in_flight = InFlight()
    take = server.process_request
    server.process_request = lambda request, address: (in_flight.taken(), take(request, address))
    return server


def chalice_app(project_dir: Path, stage: str = "local"):
    """(the app, its config) as `chalice local` loads them: the stage's
    environment variables are in os.environ from then on."""
    factory = CLIFactory(str(project_dir), environ=os.environ)
    config = factory.create_config_obj(chalice_stage_name=stage)
    return config.chalice_app, config
