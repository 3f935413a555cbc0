"""Every API request logs exactly one JSON line: request id, route, method,
status, the caller's user id when authenticated, and milliseconds."""

import pytest

from app import app
from chalicelib import config
from chalicelib.api import http
from chalicelib.queries import posts
from tests.helpers import create_post, get, log_lines, post_json

LINE_FIELDS = {"request_id", "cold_start", "route", "method", "status", "user_id", "duration_ms"}


def request_lines():
    """The API's log lines written while inside, decoded."""
    return log_lines(http.logger)


def test_every_request_logs_one_line_with_route_status_user_and_duration(client, alice):
    user, token = alice
    with request_lines() as lines:
        post = create_post(client, token)
        get(client, f"/api/posts/{post['id']}")
        get(client, "/api/posts/not-a-number")
        post_json(client, "/api/posts", {"content": "no token"})
    assert [(line["method"], line["route"], line["status"], line["user_id"]) for line in lines] == [
        ("POST", "/api/posts", 201, user["id"]),
        ("GET", "/api/posts/{post_id}", 200, None),
        ("GET", "/api/posts/{post_id}", 404, None),
        ("POST", "/api/posts", 401, None),
    ]
    for line in lines:
        assert LINE_FIELDS <= set(line) and line["level"] == "INFO" and line["service"] == "instagram-api"
        assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
    assert len({line["request_id"] for line in lines}) == len(lines)  # the invocation's, locally


@pytest.fixture
def one_write_per_user(monkeypatch):
    monkeypatch.setenv("WRITES_PER_USER", "1")
    config.settings.cache_clear()
    yield
    config.settings.cache_clear()


def test_a_rate_limited_write_names_its_caller(client, alice, one_write_per_user):
    user, token = alice
    with request_lines() as lines:
        statuses = [post_json(client, "/api/posts", {"content": "again"}, token).status_code for _ in range(2)]
    assert statuses == [201, 429]
    assert [(line["status"], line["user_id"]) for line in lines] == [(201, user["id"]), (429, user["id"])]


def test_a_server_error_logs_a_warning(client, monkeypatch):
    def broken(post_id):
        raise RuntimeError("a bug")

    monkeypatch.setattr(posts, "get_post", broken)
    with request_lines() as lines:
        assert get(client, "/api/posts/1").status_code == 500
    [line] = lines
    assert (line["level"], line["status"], line["route"]) == ("WARNING", 500, "/api/posts/{post_id}")


def test_the_line_carries_api_gateways_request_id(aws):
    event = {
        "resource": "/api/health", "path": "/api/health", "httpMethod": "GET", "headers": {},
        "multiValueQueryStringParameters": None, "pathParameters": None, "stageVariables": None,
        "body": None, "isBase64Encoded": False,
        "requestContext": {"httpMethod": "GET", "resourcePath": "/api/health", "path": "/v1/api/health",
                           "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                           "identity": {"sourceIp": "203.0.113.9"}},
    }
    with request_lines() as lines:
        assert app(event, None)["statusCode"] == 200
    [line] = lines
    assert line["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
