"""A plain HTTP client of the API, for the scripts that drive a running
stage from outside (the bench, smoke.py): one kept-alive connection, JSON
bodies, a bearer token, and the stage's path prefix (/v1 on AWS)."""
from __future__ import annotations

import http.client
import json
import secrets
import urllib.parse
import urllib.request
from dataclasses import dataclass


class UnexpectedAnswer(Exception):
    """The API answered another status than the one expected, or not at all."""


@dataclass
class Response:
    status: int
    next_cursor: str | None
    body: bytes
    dynamodb_calls: int | None = None  # what `make run` says the request took; None elsewhere

    def json(self):
        return json.loads(self.body)


class Client:
    """One HTTP/1.1 connection to the API, kept alive between requests."""

    def __init__(self, base_url: str):
        url = urllib.parse.urlsplit(base_url)
        connection_class = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        self.connection = connection_class(url.hostname, url.port, timeout=60)
        self.path_prefix = url.path.rstrip("/")  # a deployed stage's /<stage>

    def request(self, method: str, path: str, body=None, token: str | None = None) -> Response:
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            self.connection.request(method, self.path_prefix + path, body=data, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.close()  # so that the next request opens a new connection
            raise
        calls = response.getheader("X-DynamoDB-Calls")
        return Response(response.status, response.getheader("X-Next-Cursor"), payload,
                        int(calls) if calls is not None else None)

    def call(self, method: str, path: str, body=None, token: str | None = None, expect: int = 200):
        """The response's JSON (None when empty), or UnexpectedAnswer when the
        status is not `expect` or the API did not answer."""
        try:
            response = self.request(method, path, body, token)
        except (OSError, http.client.HTTPException) as error:
            raise UnexpectedAnswer(f"{method} {path}: {error!r}") from error
        if response.status != expect:
            raise UnexpectedAnswer(f"{method} {path}: {response.status} {response.body[:300]!r}, expected {expect}")
        return response.json() if response.body else None

    def close(self) -> None:
        self.connection.close()


def upload(form: dict, data: bytes, content_type: str) -> None:
    """Sends a file with an upload form of POST /api/media (`upload`), as a
    browser's multipart/form-data POST would: every field, then the file."""
    boundary = secrets.token_hex(16)
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in form["fields"].items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo"\r\n'
             f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(form["url"], data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            status = response.status
    except OSError as error:
        raise UnexpectedAnswer(f"upload to {form['url']}: {error!r}") from error
    if status not in (200, 201, 204):
        raise UnexpectedAnswer(f"upload to {form['url']}: {status}")
