"""The WebSocket API of `make run`: what API Gateway does for the deployed
stage, on this machine (docs/realtime.md).

A worker process serves the app's three WebSocket handlers
(chalicelib/api/realtime.py) with the `websockets` library, calling each
with the event API Gateway would send it: `$connect` during the handshake
(a refusal is the handshake's answer), `$default` for each message,
`$disconnect` once the socket closes. Beside it, on a port of its own, it
answers API Gateway's management API, `POST /@connections/{id}` (and
`DELETE`), by sending the body to that socket, or 410 GoneException when
there is no such socket: the push consumer and the pong post their frames
there exactly as they do on AWS (REALTIME_MANAGEMENT_URL).
"""
from __future__ import annotations

import base64
import http.server
import json
import logging
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Response
from websockets.sync.server import ServerConnection, serve

logger = logging.getLogger("local_ws")

STAGE = "local"
API_ID = "local"
# A post that races the end of its socket's handshake waits this long for it.
OPEN_WAIT_SECONDS = 5


class LocalWebSockets:
    """Made in `make run`'s own process: both sockets are bound there, so
    that their URLs are known, and in the environment the workers inherit,
    before they are spawned."""

    def __init__(self, host: str, port: int):
        self.listening = socket.create_server((host, port), backlog=128)
        self.management = socket.create_server((host, 0), backlog=128)
        self.url = f"ws://{host}:{self.listening.getsockname()[1]}"
        self.management_url = f"http://{host}:{self.management.getsockname()[1]}"

    def environment(self) -> dict[str, str]:
        return {"REALTIME_URL": self.url, "REALTIME_MANAGEMENT_URL": self.management_url}

    @property
    def sockets(self) -> tuple[socket.socket, socket.socket]:
        return self.listening, self.management

    def close(self) -> None:
        self.listening.close()
        self.management.close()


def serve_websockets(sockets: tuple[socket.socket, socket.socket], admitted, stopping: threading.Event) -> None:
    """In a worker process (infra/local.py's _work): serves the app's
    WebSocket handlers and the management API until stopping is set. It is
    started once and not reloaded with the other workers (a change to the
    WebSocket handlers takes a restart of make run)."""
    from infra.local_api import chalice_app

    app, _ = chalice_app(Path(__file__).resolve().parent.parent)
    if not admitted():
        return
    logging.getLogger("websockets").setLevel(logging.WARNING)  # a line per connection opened and closed
    listening, management = sockets
    gateway = Gateway(app, "%s:%d" % listening.getsockname()[:2])
    answering = management_api(management, gateway)
    threading.Thread(target=answering.serve_forever, name="ws-management", daemon=True).start()
    # No compression: API Gateway offers none, and frames are small.
    with serve(gateway.handle, sock=listening, process_request=gateway.connect, compression=None) as server:
        threading.Thread(target=lambda: (stopping.wait(), answering.shutdown(), server.shutdown()),
                         name="ws-stop", daemon=True).start()
        server.serve_forever()


class _Open:
    def __init__(self):
        self.socket: ServerConnection | None = None
        self.opened = threading.Event()


class Gateway:
    """Open connections by id, and the app's handlers called as API Gateway
    calls them."""

    def __init__(self, app, domain_name: str):
        self._handlers = {route: app.handler_map[config.name] for route, config in app.websocket_handlers.items()}
        self._domain_name = domain_name
        self._open: dict[str, _Open] = {}
        self._lock = threading.Lock()

    def connect(self, connection: ServerConnection, request) -> Response | None:
        """$connect, during the handshake: a refusal answers it instead."""
        connection_id = base64.urlsafe_b64encode(os.urandom(11)).decode()  # as API Gateway's look: 16 characters
        query = dict(parse_qsl(urlsplit(request.path).query))
        with self._lock:
            self._open[connection_id] = _Open()  # a frame posted from now on waits for the socket
        answer = self.invoke("$connect", connection_id, queryStringParameters=query or None,
                             headers=dict(request.headers.raw_items()))
        status = (answer or {}).get("statusCode", 200)
        if status >= 300 or status < 200:
            with self._lock:
                self._open.pop(connection_id, None)
            body = (answer or {}).get("body") or ""
            headers = Headers({"Content-Type": (answer.get("headers") or {}).get("Content-Type", "text/plain"),
                               "Content-Length": str(len(body.encode())), "Connection": "close"})
            return Response(status, http.HTTPStatus(status).phrase, headers, body.encode())
        connection.gateway_id = connection_id
        return None

    def handle(self, connection: ServerConnection) -> None:
        """The open socket: each message to $default, then $disconnect."""
        connection_id = connection.gateway_id
        with self._lock:
            opening = self._open[connection_id]
        opening.socket = connection
        opening.opened.set()
        try:
            for message in connection:
                body = message if isinstance(message, str) else message.decode("utf-8", "replace")
                self.invoke("$default", connection_id, body=body)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._open.pop(connection_id, None)
            self.invoke("$disconnect", connection_id)

    def post(self, connection_id: str, data: bytes) -> bool:
        """Sends data to the connection as a text frame; False if it is gone."""
        socket_ = self._socket(connection_id)
        if socket_ is None:
            return False
        try:
            socket_.send(data.decode("utf-8"))
        except ConnectionClosed:
            return False
        return True

    def close(self, connection_id: str) -> bool:
        socket_ = self._socket(connection_id)
        if socket_ is None:
            return False
        socket_.close()
        return True

    def _socket(self, connection_id: str) -> ServerConnection | None:
        """The connection's socket once open (a frame posted during the
        handshake waits for it); None if it is gone. A connection whose
        handshake never completed after $connect accepted it is forgotten
        then, and is gone from then on, as API Gateway would say."""
        with self._lock:
            opening = self._open.get(connection_id)
        if opening is None:
            return None
        if not opening.opened.wait(OPEN_WAIT_SECONDS):
            with self._lock:
                self._open.pop(connection_id, None)
            return None
        return opening.socket

    def invoke(self, route: str, connection_id: str, **event) -> dict | None:
        """Calls the route's handler with the event API Gateway sends it;
        returns its answer."""
        handler = self._handlers.get(route)
        if handler is None:
            return None
        event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
        context = {"routeKey": route, "eventType": event_type, "connectionId": connection_id,
                   "domainName": self._domain_name, "stage": STAGE, "apiId": API_ID,
                   "requestId": str(uuid.uuid4()), "requestTimeEpoch": int(time.time() * 1000)}
        try:
            return handler({"requestContext": context, "isBase64Encoded": False, **event}, None)
        except Exception:
            # As on AWS: the handler failed, the client gets an error status.
            logger.exception("WebSocket handler for %s failed", route)
            return {"statusCode": 500}


def management_api(listening: socket.socket, sockets) -> http.server.ThreadingHTTPServer:
    """API Gateway's management API on the listening socket, for sockets
    (a Gateway, or anything with its post and close)."""
    server = http.server.ThreadingHTTPServer(listening.getsockname()[:2], _management_handler(sockets),
                                             bind_and_activate=False)
    server.socket.close()
    server.socket = listening
    server.daemon_threads = True
    return server


def _management_handler(gateway: Gateway):
    class ManagementHandler(http.server.BaseHTTPRequestHandler):
        """API Gateway's management API, for the routes the app uses."""

        protocol_version = "HTTP/1.1"  # botocore keeps its connections
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            connection_id = self._connection_id()
            self._answer(connection_id is not None and gateway.post(connection_id, data))

        def do_DELETE(self) -> None:
            connection_id = self._connection_id()
            self._answer(connection_id is not None and gateway.close(connection_id), status=204)

        def _connection_id(self) -> str | None:
            prefix = "/@connections/"
            path = urlsplit(self.path).path
            return unquote(path[len(prefix):]) if path.startswith(prefix) else None

        def _answer(self, delivered: bool, status: int = 200) -> None:
            if delivered:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = json.dumps({"message": None}).encode()
            self.send_response(410)
            self.send_header("x-amzn-ErrorType", "GoneException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass  # one line per frame would drown make run's output

    return ManagementHandler
