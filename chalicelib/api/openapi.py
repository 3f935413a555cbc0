"""The OpenAPI 3.1 document of the whole API, made from the same pydantic
models that validate the requests and build the responses (schemas.py),
served at GET /api/openapi.json, with a browsable page at GET /docs.

OPERATIONS is the one table to keep up to date: a test checks it against
the app's routes both ways (tests/integration/test_openapi.py). The document
is built on the first request and cached, never at import.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, Optional, Union

from chalice import Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import schemas as s
from chalicelib.api.http import MAX_BODY_BYTES, ApiBlueprint

api = ApiBlueprint(__name__)

ResponseShape = Union[type[BaseModel], list[type[BaseModel]], None]  # [Model]: a JSON array of Model


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    response: ResponseShape  # None: no body (204)
    status: int = 200
    body: Optional[type[BaseModel]] = None
    query: Optional[type[BaseModel]] = None
    errors: tuple[int, ...] = ()  # beyond those implied by body, query, path ids and auth
    auth: bool = False
    write: bool = False  # rate limited: may answer 429 (authenticated writes, login)


def _op(method, path, summary, tag, response, **kwargs) -> Operation:
    return Operation(method, path, summary, tag, response, **kwargs)


# fmt: off
OPERATIONS: tuple[Operation, ...] = (
    _op("GET", "/api/health", "Readiness", "health", s.StatusResponse),
    _op("POST", "/api/auth/register", "Register a user", "auth", s.UserResponse, status=201,
        body=s.RegisterRequest, errors=(400,)),
    _op("POST", "/api/auth/login", "Log in: a bearer token", "auth", s.TokenResponse,
        body=s.LoginRequest, errors=(401,), write=True),
    _op("GET", "/api/auth/me", "The current user, with its email", "auth", s.UserResponse, auth=True),
    _op("PUT", "/api/auth/password", "Change my password: a new token; every older token stops working",
        "auth", s.TokenResponse, body=s.ChangePasswordRequest, errors=(403,), auth=True, write=True),
    _op("PUT", "/api/users/me", "Update my profile (omitted or null fields stay)", "users", s.UserResponse,
        body=s.UpdateProfileRequest, auth=True, write=True),
    _op("GET", "/api/users/{user_id}", "A user's profile with counts", "users", s.UserProfileResponse),
    _op("GET", "/api/users/{user_id}/posts", "A user's posts, newest first", "users", [s.PostResponse],
        query=s.PageQuery),
    _op("GET", "/api/users/{user_id}/followers", "A user's followers, latest follow first", "users",
        [s.UserResponse], query=s.PageQuery),
    _op("GET", "/api/users/{user_id}/following", "Whom a user follows, latest follow first", "users",
        [s.UserResponse], query=s.PageQuery),
    _op("POST", "/api/posts", "Create a post (content or image_url)", "posts", s.PostResponse, status=201,
        body=s.CreatePostRequest, auth=True, write=True),
    _op("GET", "/api/posts/{post_id}", "A post", "posts", s.PostResponse),
    _op("DELETE", "/api/posts/{post_id}", "Delete my post", "posts", None, status=204,
        errors=(403,), auth=True, write=True),
    _op("POST", "/api/posts/{post_id}/likes", "Like or unlike a post (toggles)", "posts", s.LikeToggleResponse,
        auth=True, write=True),
    _op("GET", "/api/posts/{post_id}/comments", "A post's comments, newest first", "posts",
        [s.CommentResponse], query=s.LongPageQuery),
    _op("POST", "/api/posts/{post_id}/comments", "Comment on a post", "posts", s.CommentResponse, status=201,
        body=s.CreateCommentRequest, auth=True, write=True),
    _op("DELETE", "/api/posts/comments/{comment_id}", "Delete a comment (its author or the post's author)",
        "posts", None, status=204, errors=(403,), auth=True, write=True),
    _op("POST", "/api/follow/{user_id}", "Follow a user", "follows", s.FollowResponse,
        errors=(400,), auth=True, write=True),
    _op("DELETE", "/api/follow/{user_id}", "Unfollow a user", "follows", s.FollowResponse,
        errors=(400,), auth=True, write=True),
    _op("GET", "/api/feed", "My feed: my posts and those of whom I follow, newest first", "feed",
        [s.PostResponse], query=s.PageQuery, auth=True),
    _op("POST", "/api/stories", "Post a story (visible 24 hours)", "stories", s.StoryResponse, status=201,
        body=s.CreateStoryRequest, auth=True, write=True),
    _op("GET", "/api/stories", "My active stories, newest first", "stories", [s.StoryResponse],
        query=s.PageQuery, auth=True),
    _op("GET", "/api/stories/feed", "Active stories of me and whom I follow", "stories", [s.StoryResponse],
        query=s.PageQuery, auth=True),
    _op("DELETE", "/api/stories/{story_id}", "Delete my story", "stories", None, status=204,
        errors=(403,), auth=True, write=True),
    _op("POST", "/api/messages", "Send a message", "messages", s.MessageResponse, status=201,
        body=s.SendMessageRequest, errors=(400, 404), auth=True, write=True),
    _op("GET", "/api/messages", "My conversations, most recent first", "messages", [s.ConversationResponse],
        query=s.LongPageQuery, auth=True),
    _op("GET", "/api/messages/{other_user_id}", "A conversation, both directions, newest first", "messages",
        [s.MessageResponse], query=s.LongPageQuery, auth=True),
    _op("POST", "/api/messages/{sender_id}/read", "Mark that sender's messages to me read", "messages",
        s.StatusResponse, auth=True, write=True),
    _op("GET", "/api/notifications", "My notifications, newest first", "notifications",
        [s.NotificationResponse], query=s.LongPageQuery, auth=True),
    _op("POST", "/api/notifications/{notification_id}/read", "Mark one of my notifications read",
        "notifications", s.StatusResponse, auth=True, write=True),
    _op("POST", "/api/notifications/read-all", "Mark all my notifications read", "notifications",
        s.StatusResponse, auth=True, write=True),
    _op("GET", "/api/search/users", "Users by a prefix of username or of a word of full_name", "search",
        [s.UserResponse], query=s.SearchQuery),
    _op("GET", "/api/search/hashtags", "Hashtags by prefix", "search", [s.HashtagResponse], query=s.SearchQuery),
    _op("GET", "/api/search/posts/hashtag/{tag}", "Posts with a hashtag, newest first", "search",
        [s.PostResponse], query=s.PageQuery),
)
# fmt: on

TITLE = "Instagram API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The HTTP contract of the serverless Instagram backend. Every error is "
    '`{"detail": "..."}`. Lists take `limit`, `offset` and an opaque `cursor`; '
    "when more items exist, the next cursor is in the `X-Next-Cursor` header."
)
SECURITY_SCHEME = "bearerAuth"

_REASONS = {
    200: "OK", 201: "Created", 204: "No content", 400: "Bad request (malformed JSON, or a rule of the contract)",
    401: "Missing, malformed, forged, expired or retired token, or wrong credentials",
    403: "Not yours (or a wrong current password)",
    404: "Unknown (or non-numeric) id", 413: f"Body larger than {MAX_BODY_BYTES // 1024} KiB",
    415: "Unsupported content type", 422: "Validation failed; detail names the field(s)",
    429: "Too many requests; try again later",
}


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def error_statuses(op: Operation) -> list[int]:
    """Every 4xx status the operation can answer."""
    statuses = set(op.errors)
    if op.body:
        statuses |= {400, 413, 415, 422}
    if op.query:
        statuses.add(422)
    if op.auth:
        statuses.add(401)
    if any(name.endswith("_id") for name in path_parameters(op.path)):
        statuses.add(404)
    if op.write:
        statuses.add(429)
    return sorted(statuses)


def _models() -> list[tuple[type[BaseModel], str]]:
    """Every model the document names in components: request bodies as
    validated, responses as serialised (query models become parameters)."""
    wanted: dict[tuple[type[BaseModel], str], None] = {(s.ErrorResponse, "serialization"): None}
    for op in OPERATIONS:
        if op.body:
            wanted[(op.body, "validation")] = None
        response = op.response[0] if isinstance(op.response, list) else op.response
        if response:
            wanted[(response, "serialization")] = None
    return list(wanted)


def _without_null(schema: dict) -> dict:
    """A query parameter is absent rather than null."""
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if len(options) == 1:
        rest = {key: value for key, value in schema.items() if key != "anyOf"}
        schema = {**options[0], **rest}
    if schema.get("default", 0) is None:
        schema = {key: value for key, value in schema.items() if key != "default"}
    return schema


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(mode="validation")
    required = set(schema.get("required", []))
    return [
        {"name": field, "in": "query", "required": field in required, "schema": _without_null(field_schema)}
        for field, field_schema in schema.get("properties", {}).items()
    ]


def _path_parameter(name: str) -> dict:
    if name.endswith("_id"):
        schema = {"type": "integer", "minimum": 1, "maximum": s.MAX_ID}
    else:
        schema = {"type": "string", "minLength": 1}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _operation(op: Operation, refs: dict) -> dict:
    def ref(model: type[BaseModel], mode: str) -> dict:
        return refs[(model, mode)]

    parameters = [_path_parameter(name) for name in path_parameters(op.path)]
    if op.query:
        parameters += _query_parameters(op.query)
    success: dict[str, Any] = {"description": _REASONS[op.status]}
    if isinstance(op.response, list):
        success["content"] = _json({"type": "array", "items": ref(op.response[0], "serialization")})
        success["headers"] = {"X-Next-Cursor": {
            "description": "The cursor of the next page; present only when more items exist.",
            "schema": {"type": "string"},
        }}
    elif op.response:
        success["content"] = _json(ref(op.response, "serialization"))
    responses = {str(op.status): success}
    error = _json(ref(s.ErrorResponse, "serialization"))
    for status in error_statuses(op):
        responses[str(status)] = {"description": _REASONS[status], "content": error}
    if "429" in responses:
        responses["429"]["headers"] = {"Retry-After": {
            "description": "Seconds until the limit's window ends.", "schema": {"type": "integer", "minimum": 1},
        }}
    operation: dict[str, Any] = {
        "operationId": f"{op.method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', op.path).strip('_')}",
        "summary": op.summary,
        "tags": [op.tag],
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    if op.body:
        operation["requestBody"] = {"required": True, "content": _json(ref(op.body, "validation"))}
    operation["security"] = [{SECURITY_SCHEME: []}] if op.auth else []
    return operation


@functools.cache
def document() -> dict:
    """The OpenAPI 3.1 document (built once, on first use)."""
    refs, defs = models_json_schema(_models(), ref_template="#/components/schemas/{model}")
    components = defs.get("$defs", {})
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {SECURITY_SCHEME: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Instagram API</title>
  <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://unpkg.com/swagger-ui-dist@5/swagger-ui-bundle.js" crossorigin></script>
  <script>
    // Relative, so the page works under a deployed stage's prefix (/v1/docs) too.
    window.ui = SwaggerUIBundle({url: "api/openapi.json", dom_id: "#swagger-ui"});
  </script>
</body>
</html>
"""


@api.route("/api/openapi.json", methods=["GET"])
def openapi_json():
    return {**document(), "servers": [{"url": mount_point(api.current_request)}]}


def mount_point(request) -> str:
    """Where this API answers: "/v1" behind API Gateway's stage (or a custom
    domain's base path), "/" locally, so that "Try it out" in /docs calls the
    right URLs wherever the document was fetched from."""
    context = request.context or {}
    path, route = context.get("path") or "", context.get("resourcePath") or ""
    prefix = path[: -len(route)] if route and path.endswith(route) else ""
    return prefix or "/"


@api.route("/docs", methods=["GET"])
def docs():
    return Response(body=DOCS_HTML, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
