"""What every route shares: errors as {"detail": ...}, request parsing with
pydantic, authentication and paged responses."""
from __future__ import annotations

import functools
import json
from typing import Any, TypeVar

from chalice import Blueprint, ChaliceUnhandledError, Response
from pydantic import BaseModel, ValidationError

from chalicelib import errors, rate_limits, security
from chalicelib.config import settings
from chalicelib.models import User
from chalicelib.queries import users
from chalicelib.queries.paging import Page

M = TypeVar("M", bound=BaseModel)

_STATUS = {
    errors.NotFound: 404,
    errors.Conflict: 400,
    errors.Forbidden: 403,
    errors.Unauthorized: 401,
    errors.Invalid: 422,
    errors.TooManyRequests: 429,
}


class ApiError(ChaliceUnhandledError):
    """Raised anywhere under a route; becomes {"detail": ...} with status."""

    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class ApiBlueprint(Blueprint):
    """A Blueprint whose routes turn domain errors into HTTP errors."""

    def route(self, path: str, **kwargs: Any):
        register = super().route(path, **kwargs)

        def decorator(view):
            @functools.wraps(view)
            def translated(*args, **kw):
                try:
                    return view(*args, **kw)
                except errors.DomainError as error:
                    raise ApiError(_status_of(error), error.detail, _headers_of(error)) from error

            register(translated)
            return view

        return decorator


def _status_of(error: errors.DomainError) -> int:
    for cls, status in _STATUS.items():
        if isinstance(error, cls):
            return status
    raise TypeError(f"no HTTP status for {type(error).__name__}")


def _headers_of(error: errors.DomainError) -> dict:
    if isinstance(error, errors.TooManyRequests):
        return {"Retry-After": str(error.retry_after)}
    return {}


def error_middleware(event, get_response):
    """Registered for 'http' events: every error leaves as {"detail": ...}."""
    try:
        response = get_response(event)
    except ApiError as error:
        return error_response(error.status, error.detail, error.headers)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Message" in body:
        # Chalice's own errors (415, 405, unparsable JSON) use {Code, Message}.
        response.body = {"detail": body["Message"]}
    return response


def error_response(status: int, detail: str, headers: dict | None = None) -> Response:
    return Response(body={"detail": detail}, status_code=status, headers=headers or {})


MAX_BODY_BYTES = 64 * 1024


def parse_body(request, model: type[M]) -> M:
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "Request body is larger than 64 KiB")
    try:
        data = json.loads(raw) if raw.strip() else None
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise ApiError(400, "Request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(422, "body: a JSON object is required")
    return _validate(model, data)


def parse_query(request, model: type[M]) -> M:
    return _validate(model, dict(request.query_params or {}))


def _validate(model: type[M], data: dict) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiError(422, describe(error)) from None


def describe(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        parts.append(f"{field}: {problem['msg']}")
    return "; ".join(parts)


def path_id(value: str, what: str) -> int:
    """An id from the URL. Anything but a positive JS-safe integer names
    nothing, so it is a 404 like an unknown id."""
    if value.isascii() and value.isdigit() and 0 < int(value) <= 2**53 - 1:
        return int(value)
    raise ApiError(404, f"{what} not found")


def authenticated_user(request) -> User:
    """The caller, named by a valid token issued under their current password
    (one consistent GetItem). Every authenticated write (POST, PUT, DELETE)
    counts against the caller's write rate limit here, in this one place."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
    try:
        claims = security.read_access_token(token.strip())
        user = users.get_token_holder(claims.user_id, claims.password_version)
    except errors.Unauthorized as error:
        raise ApiError(401, error.detail, {"WWW-Authenticate": "Bearer"}) from None
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        config = settings()
        rate_limits.hit(f"writes#{user.user_id}", config.writes_per_user, config.writes_window_seconds)
    return user


def authenticated_user_id(request) -> int:
    return authenticated_user(request).user_id


def client_address(request) -> str:
    """The caller's IP address, as API Gateway (or chalice local) saw it."""
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=body, status_code=status)


def no_content() -> Response:
    return Response(body="", status_code=204)


def paged_response(page: Page, serialise) -> Response:
    headers = {"X-Next-Cursor": page.next_cursor} if page.next_cursor else {}
    return Response(body=[serialise(item) for item in page.items], status_code=200, headers=headers)
