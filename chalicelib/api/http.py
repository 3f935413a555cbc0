"""What every route shares. A route declares its contract where it is
registered (ApiBlueprint.route); from that declaration the route is
authenticated, its path ids, query and body parsed, its domain errors mapped
and its result serialised, and the OpenAPI document is made (openapi.py).
The http middleware turns every error into {"detail": ...}, adds the CORS
headers to every response, and logs one line per request."""
from __future__ import annotations

import functools
import json
import logging
import re
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Callable, Optional, TypeVar, Union

from chalice import Blueprint, ChaliceUnhandledError, Response
from pydantic import BaseModel, ValidationError

from chalicelib import metrics, rate_limits, security
from chalicelib.api import cors
from chalicelib.config import settings
from chalicelib.errors import Busy, Conflict, DomainError, Forbidden, Invalid, NotFound, TooManyRequests, Unauthorized
from chalicelib.events import current_correlation_id
from chalicelib.logs import cold_start, json_logger
from chalicelib.models import User
from chalicelib.queries import users

M = TypeVar("M", bound=BaseModel)

logger = json_logger("instagram-api")

_STATUS = {
    NotFound: 404,
    Conflict: 400,
    Forbidden: 403,
    Unauthorized: 401,
    Invalid: 422,
    TooManyRequests: 429,
    Busy: 503,
}

# [Model]: a page, sent as a JSON array of Model with X-Next-Cursor; None: no body.
ResponseShape = Union[type[BaseModel], list[type[BaseModel]], None]


@dataclass(frozen=True)
class Operation:
    """A route's contract, as its ApiBlueprint.route call declares it."""

    summary: str
    tag: str
    response: ResponseShape
    status: int
    body: Optional[type[BaseModel]]
    query: Optional[type[BaseModel]]
    errors: tuple[int, ...]  # beyond those implied by body, query, path ids, auth and write
    auth: bool  # a valid token is required: the view gets the caller
    # Commits through a command: counts against the caller's write limit
    # (429) when authenticated, and answers 503 when contention outlasts the
    # command's retries.
    write: bool
    # A token is optional (a read anyone may make): the view gets the viewer,
    # None without a token; a token that fails is a 401 as anywhere.
    viewer: bool
    # What each {x_id} of the path names, for the 404 of an id that cannot exist.
    path_ids: tuple[tuple[str, str], ...]


def path_ids_of(path: str, names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Each {x_id} of the path and what it names: "User" for {user_id} and
    {other_user_id}, or what the route's `ids` says (sender_id: "User")."""
    found = re.findall(r"{(\w+_id)}", path)
    unknown = set(names) - set(found)
    if unknown:
        raise ValueError(f"{path}: ids names {sorted(unknown)}, not in the path")
    return tuple((name, names.get(name) or name[:-len("_id")].split("_")[-1].capitalize()) for name in found)


class ApiError(ChaliceUnhandledError):
    """Raised anywhere under a route; becomes {"detail": ...} with status."""

    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class ApiBlueprint(Blueprint):
    """A Blueprint whose routes declare their contract. The view receives
    `caller` (the authenticated User) when auth is declared, `viewer` (the
    User, or None without a token) when viewer is declared, each path
    parameter (ids as ints), `query` and `body` as validated models, and
    returns what the response model validates: a stored item, a dict, a
    Page for [Model], nothing for None."""

    def __init__(self, import_name: str, tag: str):
        super().__init__(import_name)
        self.tag = tag

    def route(self, path: str, *, methods: list[str], summary: str, response: ResponseShape, status: int = 200,
              body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
              errors: tuple[int, ...] = (), auth: bool = False, write: bool = False, viewer: bool = False,
              ids: dict[str, str] | None = None, **options: Any):
        operation = Operation(summary, self.tag, response, status, body, query, errors, auth, write, viewer,
                              path_ids_of(path, ids or {}))
        register = super().route(path, methods=methods, **options)

        def decorator(view: Callable):
            @functools.wraps(view)
            def handler(**path_parameters):
                try:
                    result = view(**_arguments(operation, self.current_request, path_parameters))
                except DomainError as error:
                    raise ApiError(_status_of(error), error.detail, _headers_of(error)) from error
                return _response(operation, result)

            handler.operation = operation
            register(handler)
            return view

        return decorator


def _arguments(operation: Operation, request, path_parameters: dict) -> dict:
    # Authentication first: any request without a valid token is a 401,
    # however malformed the rest of it is.
    arguments: dict[str, Any] = {}
    if operation.auth:
        arguments["caller"] = authenticated_user(request)
        if operation.write:
            # The write limit, as the route declares it; a 429's log line
            # names the caller, whom authentication has just named.
            config = settings()
            rate_limits.hit(f"writes#{arguments['caller'].user_id}", config.writes_per_user,
                            config.writes_window_seconds)
    if operation.viewer:
        # Without a token the viewer is nobody; a token that fails is a 401 as anywhere.
        arguments["viewer"] = authenticated_user(request) if "authorization" in request.headers else None
    arguments.update(path_parameters)
    for name, what in operation.path_ids:
        arguments[name] = path_id(path_parameters[name], what)
    if operation.query:
        arguments["query"] = parse_query(request, operation.query)
    if operation.body:
        arguments["body"] = parse_body(request, operation.body)
    return arguments


def _response(operation: Operation, result: Any) -> Response:
    shape = operation.response
    if shape is None:
        return Response(body="", status_code=operation.status)
    if isinstance(shape, list):
        [model] = shape
        headers = {"X-Next-Cursor": result.next_cursor} if result.next_cursor else {}
        body = [_serialised(model, item) for item in result.items]
        return Response(body=body, status_code=operation.status, headers=headers)
    return Response(body=_serialised(shape, result), status_code=operation.status)


def _serialised(model: type[BaseModel], value: Any) -> dict:
    return model.model_validate(value).model_dump(mode="json")


def _status_of(error: DomainError) -> int:
    for cls, status in _STATUS.items():
        if isinstance(error, cls):
            return status
    raise TypeError(f"no HTTP status for {type(error).__name__}")


def _headers_of(error: DomainError) -> dict:
    if isinstance(error, (TooManyRequests, Busy)):
        return {"Retry-After": str(error.retry_after)}
    return {}


# The caller of the request being handled, once its token checked out: the
# middleware's log line names them.
_caller_id: ContextVar[Optional[int]] = ContextVar("caller_id", default=None)


def http_middleware(request, get_response):
    """Registered for 'http' events: every error leaves as {"detail": ...},
    and every request logs one line."""
    started = time.perf_counter()
    cold = cold_start()
    _caller_id.set(None)
    request_id = _request_id(request)
    # The events this request publishes carry its id, which every consumer
    # logs with them; nothing after the request does.
    correlating = current_correlation_id.set(request_id)
    metrics.start_counting()
    try:
        response = _detailed(request, get_response)
    finally:
        current_correlation_id.reset(correlating)
    response.headers.update(cors.headers_for(request.headers.get("origin")))
    status = response.status_code
    logger.log(logging.WARNING if status >= 500 else logging.INFO, f"{request.method} {request.path} {status}",
               extra={
                   "request_id": request_id,
                   "cold_start": cold,
                   "route": request.path,
                   "method": request.method,
                   "status": status,
                   "user_id": _caller_id.get(),
                   "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                   **metrics.embedded(metrics.counted(), {"service": logger.name}),
               })
    return response


def _request_id(request) -> Optional[str]:
    """API Gateway's id of the request, which its access logs carry too; else
    (`make run`, whose gateway sets none) the Lambda invocation's."""
    return request.context.get("requestId") or getattr(request.lambda_context, "aws_request_id", None)


def _detailed(request, get_response) -> Response:
    try:
        response = get_response(request)
    except ApiError as error:
        return Response(body={"detail": error.detail}, status_code=error.status, headers=error.headers)
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Message" in body:
        # Chalice's own errors (415, 405, unparsable JSON) use {Code, Message}.
        response.body = {"detail": body["Message"]}
    return response


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
    (one consistent GetItem)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "Not authenticated", {"WWW-Authenticate": "Bearer"})
    try:
        claims = security.read_access_token(token.strip())
        user = users.get_token_holder(claims.user_id, claims.password_version)
    except Unauthorized as error:
        raise ApiError(401, error.detail, {"WWW-Authenticate": "Bearer"}) from None
    _caller_id.set(user.user_id)
    return user


def viewer_id_of(viewer: Optional[User]) -> Optional[int]:
    return viewer.user_id if viewer is not None else None


def client_address(request) -> str:
    """The caller's IP address, as API Gateway (or chalice local) saw it."""
    identity = (request.context or {}).get("identity") or {}
    return identity.get("sourceIp") or "unknown"
