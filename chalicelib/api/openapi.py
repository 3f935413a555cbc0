"""The OpenAPI 3.1 document of the whole API, made from what each route
declares where it is registered (ApiBlueprint.route in http.py, with the
models of schemas.py), served at GET /api/openapi.json, with a browsable page
at GET /docs. Those two routes are plain Chalice routes, declaring nothing,
so they stay out of the document. It is built on the first request and
cached, never at import.
"""
from __future__ import annotations

import functools
import re
from typing import Any

from chalice import Blueprint, Response
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.api import schemas as s
from chalicelib.api.http import MAX_BODY_BYTES, Operation

api = Blueprint(__name__)


def operations() -> list[tuple[str, str, Operation]]:
    """(path, method, operation) of every route that declares an operation,
    in the order the app registered them."""
    return [
        (path, method, entry.view_function.operation)
        for path, entries in api.current_app.routes.items()
        for method, entry in entries.items()
        if hasattr(entry.view_function, "operation")
    ]


TITLE = "Instagram API"
VERSION = "1.0.0"
DESCRIPTION = (
    "The HTTP contract of the serverless Instagram backend. Every error is "
    '`{"detail": "..."}`. Lists take `limit`, `offset` and an opaque `cursor`; '
    "when more items exist, the next cursor is in the `X-Next-Cursor` header."
)
SECURITY_SCHEME = "bearerAuth"

_REASONS = {
    200: "OK", 201: "Created", 202: "Accepted: it happens shortly", 204: "No content",
    400: "Bad request (malformed JSON, or a rule of the contract)",
    401: "Missing, malformed, forged, expired or retired token, or wrong credentials",
    403: "Not yours (or a wrong current password)",
    404: "Unknown (or non-numeric) id", 413: f"Body larger than {MAX_BODY_BYTES // 1024} KiB",
    415: "Unsupported content type", 422: "Validation failed; detail names the field(s)",
    429: "Too many requests; try again later",
    503: "Busy: contention outlasted the write's retries; nothing was written, try again",
}


def path_parameters(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def error_statuses(path: str, op: Operation) -> list[int]:
    """Every status but success the operation can answer: its 4xx, and the
    503 of a write whose contention outlasted its retries."""
    statuses = set(op.errors)
    if op.body:
        statuses |= {400, 413, 415, 422}
    if op.query:
        statuses.add(422)
    if op.auth or op.viewer:
        statuses.add(401)
    if op.path_ids:
        statuses.add(404)
    if op.write:
        statuses |= {429, 503}
    return sorted(statuses)


def _models() -> list[tuple[type[BaseModel], str]]:
    """Every model the document names in components: request bodies as
    validated, responses as serialised (query models become parameters)."""
    wanted: dict[tuple[type[BaseModel], str], None] = {(s.ErrorResponse, "serialization"): None}
    for _, _, op in operations():
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


def _operation(path: str, method: str, op: Operation, refs: dict) -> dict:
    def ref(model: type[BaseModel], mode: str) -> dict:
        return refs[(model, mode)]

    parameters = [_path_parameter(name) for name in path_parameters(path)]
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
    for status in error_statuses(path, op):
        responses[str(status)] = {"description": _REASONS[status], "content": error}
    if "429" in responses:
        responses["429"]["headers"] = {"Retry-After": {
            "description": "Seconds until the limit's window ends.", "schema": {"type": "integer", "minimum": 1},
        }}
    if "503" in responses:
        responses["503"]["headers"] = {"Retry-After": {
            "description": "Seconds to wait before trying again.", "schema": {"type": "integer", "minimum": 1},
        }}
    operation: dict[str, Any] = {
        "operationId": f"{method.lower()}_{re.sub(r'[^A-Za-z0-9]+', '_', path).strip('_')}",
        "summary": op.summary,
        "tags": [op.tag],
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    if op.body:
        operation["requestBody"] = {"required": True, "content": _json(ref(op.body, "validation"))}
    operation["security"] = [{SECURITY_SCHEME: []}] if op.auth else [{}, {SECURITY_SCHEME: []}] if op.viewer else []
    return operation


@functools.cache
def document() -> dict:
    """The OpenAPI 3.1 document (built once, on first use)."""
    refs, defs = models_json_schema(_models(), ref_template="#/components/schemas/{model}")
    components = defs.get("$defs", {})
    paths: dict[str, dict] = {}
    for path, method, op in operations():
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {SECURITY_SCHEME: {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


# The page runs on the API's own origin, where people paste bearer tokens: the
# CDN's files are pinned to one version and checked against these hashes
# (sha384 of the files in the npm package swagger-ui-dist@5.36.0), so a
# changed or compromised file is refused by the browser, never run. To
# upgrade: `npm pack swagger-ui-dist@<version>`, then
# `openssl dgst -sha384 -binary package/<file> | openssl base64 -A`.
SWAGGER_UI_VERSION = "5.36.0"
SWAGGER_UI_CSS_INTEGRITY = "sha384-z/AtSaOHGn5MJ5auAHXUypohywlIWLBZo1jeGmhdpVIbCnFhxAH92cwdV41oyINc"
SWAGGER_UI_JS_INTEGRITY = "sha384-fUpRgC19yPykTqzdrUbdAg8NTiu16NEKf9U12J+IJWCg8/1mEI8f2+PEIz60Wyd+"

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Instagram API</title>
  <link rel="stylesheet" href="https://unpkg.com/swagger-ui-dist@{version}/swagger-ui.css"
        integrity="{css_integrity}" crossorigin="anonymous">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="https://unpkg.com/swagger-ui-dist@{version}/swagger-ui-bundle.js"
          integrity="{js_integrity}" crossorigin="anonymous"></script>
  <script>
    // Relative, so the page works under a deployed stage's prefix (/v1/docs) too.
    window.ui = SwaggerUIBundle({url: "api/openapi.json", dom_id: "#swagger-ui"});
  </script>
</body>
</html>
""".replace("{version}", SWAGGER_UI_VERSION).replace("{css_integrity}", SWAGGER_UI_CSS_INTEGRITY).replace(
    "{js_integrity}", SWAGGER_UI_JS_INTEGRITY)


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
