"""The OpenAPI document: made from what each route declares, it covers
exactly the app's routes, it is valid OpenAPI 3.1, and it is served with a
browsable page."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app import app
from chalicelib.api import http, openapi
from tests.helpers import get

ROOT = Path(__file__).resolve().parents[2]
DOCS_ROUTES = {("/api/openapi.json", "GET"), ("/docs", "GET")}
# The local stage's own page, outside the API's contract (chalicelib/api/local.py).
LOCAL_ROUTES = {("/local/mail", "GET")}


def routes_of_app() -> set[tuple[str, str]]:
    """Every route but the docs', the local stage's and the CORS preflights."""
    return {(path, method) for path, entries in app.routes.items() for method in entries
            if method != "OPTIONS"} - DOCS_ROUTES - LOCAL_ROUTES


def documented(document: dict) -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def test_every_route_is_documented_and_every_documented_operation_exists(client):
    response = get(client, "/api/openapi.json")
    assert response.status_code == 200
    operations = documented(response.json_body)
    assert routes_of_app() - operations == set(), "routes missing from the document"
    assert operations - routes_of_app() == set(), "documented operations the app does not serve"
    declared = {(path, method) for path, method, _ in openapi.operations()}
    assert declared == routes_of_app(), "routes without a declared operation, or docs routes declaring one"


def test_the_document_is_valid_openapi_3_1():
    validator = pytest.importorskip("openapi_spec_validator")
    document = openapi.document()
    assert document["openapi"].startswith("3.1")
    validator.validate(document, cls=validator.OpenAPIV31SpecValidator)


def test_the_document_is_built_on_first_use_not_at_import_and_then_cached():
    probe = "import app\nfrom chalicelib.api import openapi\nprint(openapi.document.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
    assert openapi.document() is openapi.document()


def test_every_operation_has_its_success_and_error_responses_and_every_ref_resolves():
    document = openapi.document()
    schemas = document["components"]["schemas"]
    for path, method, op in openapi.operations():
        operation = document["paths"][path][method.lower()]
        assert str(op.status) in operation["responses"]
        for status in openapi.error_statuses(path, op):
            error = operation["responses"][str(status)]["content"]["application/json"]["schema"]
            assert error == {"$ref": "#/components/schemas/ErrorResponse"}
        bearer = {openapi.SECURITY_SCHEME: []}
        assert operation["security"] == ([bearer] if op.auth else [{}, bearer] if op.viewer else [])
    for ref in _refs(document):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_lists_document_the_next_cursor_header():
    document = openapi.document()
    for path, method, op in openapi.operations():
        if isinstance(op.response, list):
            success = document["paths"][path][method.lower()]["responses"][str(op.status)]
            assert "X-Next-Cursor" in success["headers"], (method, path)


def test_authenticated_operations_refuse_a_request_without_a_token(client):
    """Even with a body that could not be valid: authentication comes first."""
    for path, method, op in openapi.operations():
        if op.auth:
            url = path.format(**{name: "1" for name in openapi.path_parameters(path)})
            response = client.request(method, url, headers={"Content-Type": "application/json"}, body=b"[")
            assert response.status_code == 401, (method, path, response.status_code)


def test_every_authenticated_change_is_a_declared_write_documented_as_limited_and_busy():
    """A write declaration is what counts the request against the caller's
    write limit (429) and what documents the 503 of lasting contention."""
    for path, method, op in openapi.operations():
        if op.auth and method != "GET":
            assert op.write, (method, path)
        if op.write:
            assert {429, 503} <= set(openapi.error_statuses(path, op)), (method, path)
            responses = openapi.document()["paths"][path][method.lower()]["responses"]
            assert "Retry-After" in responses["503"]["headers"], (method, path)


def test_every_path_id_names_what_it_is_the_id_of():
    named = {name: what for _, _, op in openapi.operations() for name, what in op.path_ids}
    assert named == {"user_id": "User", "other_user_id": "User", "sender_id": "User", "post_id": "Post",
                     "comment_id": "Comment", "story_id": "Story", "media_id": "Media",
                     "notification_id": "Notification"}


def test_a_new_path_id_needs_no_table_and_a_wrong_name_in_ids_is_refused():
    assert http.path_ids_of("/api/albums/{album_id}/photos/{photo_id}", {}) == (("album_id", "Album"),
                                                                                   ("photo_id", "Photo"))
    with pytest.raises(ValueError, match="sender"):
        http.path_ids_of("/api/messages/{other_user_id}", {"sender_id": "User"})


def test_shared_shapes_are_components():
    schemas = openapi.document()["components"]["schemas"]
    for name in ("UserResponse", "UserProfileResponse", "PostResponse", "CommentResponse", "StoryResponse",
                 "MessageResponse", "ConversationResponse", "NotificationResponse", "HashtagResponse",
                 "TokenResponse", "ErrorResponse"):
        assert name in schemas, name
    assert schemas["UserResponse"]["properties"]["email"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


def test_the_docs_page_is_html_that_loads_the_document(client):
    response = get(client, "/docs")
    assert response.status_code == 200
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert headers["content-type"].startswith("text/html")
    assert b"api/openapi.json" in response.body


def lambda_proxy_event(path: str, resource_path: str) -> dict:
    """What API Gateway hands the Lambda for a GET of path."""
    return {
        "resource": resource_path, "path": resource_path, "httpMethod": "GET",
        "headers": {"host": "abc123.execute-api.eu-west-1.amazonaws.com"},
        "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
        "body": None, "isBase64Encoded": False,
        "requestContext": {"httpMethod": "GET", "resourcePath": resource_path, "path": path,
                           "stage": "v1", "identity": {"sourceIp": "203.0.113.9"}},
    }


@pytest.mark.parametrize("path, server", [
    ("/v1/api/openapi.json", "/v1"),            # the stage, on execute-api's own domain
    ("/instagram/api/openapi.json", "/instagram"),  # a custom domain's base path
    ("/api/openapi.json", "/"),                 # chalice local, or a custom domain at its root
])
def test_the_document_names_the_server_it_was_fetched_from(aws, path, server):
    response = app(lambda_proxy_event(path, "/api/openapi.json"), None)
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["servers"] == [{"url": server}]
