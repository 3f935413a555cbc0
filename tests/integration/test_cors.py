"""CORS: browsers from the stage's allowed origins may call every route,
read its errors, and read the X-Next-Cursor and Retry-After headers; other
origins get no CORS headers."""
import pytest

from chalicelib import config
from tests.helpers import auth_headers

APP_ORIGIN = "https://app.example.com"


def lowered(headers) -> dict:
    return {name.lower(): value for name, value in headers.items()}


@pytest.fixture
def allowed_origins(monkeypatch):
    def allow(value: str):
        monkeypatch.setenv("CORS_ALLOWED_ORIGINS", value)
        config.settings.cache_clear()

    yield allow
    config.settings.cache_clear()


def test_a_preflight_names_the_paths_methods_and_the_headers_a_browser_may_send(client):
    response = client.options("/api/posts/1/comments", headers={
        "Origin": APP_ORIGIN, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})
    headers = lowered(response.headers)
    assert response.status_code == 204
    assert headers["access-control-allow-origin"] == "*"  # the local stage allows every origin
    assert set(headers["access-control-allow-methods"].split(", ")) == {"GET", "POST", "OPTIONS"}
    assert headers["access-control-allow-headers"] == "Authorization, Content-Type"
    assert int(headers["access-control-max-age"]) > 0


def test_every_path_answers_a_preflight(client):
    from app import app

    for path in app.routes:
        concrete = path.replace("{", "").replace("}", "").replace("_id", "1")
        response = client.options(concrete, headers={"Origin": APP_ORIGIN})
        assert response.status_code == 204, path


def test_an_error_response_carries_the_cors_headers_so_a_browser_can_read_its_detail(client):
    response = client.get("/api/feed", headers={"Origin": APP_ORIGIN})
    headers = lowered(response.headers)
    assert response.status_code == 401 and response.json_body == {"detail": "Not authenticated"}
    assert headers["access-control-allow-origin"] == "*"
    assert set(headers["access-control-expose-headers"].split(", ")) == {"X-Next-Cursor", "Retry-After"}


def test_a_page_exposes_its_next_cursor_to_browser_code(client, alice):
    for _ in range(3):
        client.post("/api/posts", headers={"Content-Type": "application/json", **auth_headers(alice.token)},
                    body='{"content": "hello"}')
    response = client.get(f"/api/users/{alice.id}/posts?limit=2", headers={"Origin": APP_ORIGIN})
    headers = lowered(response.headers)
    assert "x-next-cursor" in headers
    assert "X-Next-Cursor" in headers["access-control-expose-headers"]


def test_a_named_origin_is_echoed_and_any_other_gets_no_cors_headers(client, allowed_origins):
    allowed_origins(f"{APP_ORIGIN}, http://localhost:3000")
    allowed = lowered(client.get("/api/health", headers={"Origin": APP_ORIGIN}).headers)
    assert allowed["access-control-allow-origin"] == APP_ORIGIN and allowed["vary"] == "Origin"
    other = client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert other.status_code == 200 and "access-control-allow-origin" not in lowered(other.headers)


def test_a_preflight_from_an_origin_not_allowed_is_refused(client, allowed_origins):
    allowed_origins(APP_ORIGIN)
    response = client.options("/api/posts", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert response.json_body == {"detail": "Origin https://evil.example may not call this API"}
    assert "access-control-allow-origin" not in lowered(response.headers)


def test_with_no_origin_allowed_no_response_carries_cors_headers(client, allowed_origins):
    allowed_origins("")
    response = client.get("/api/health", headers={"Origin": APP_ORIGIN})
    assert not any(name.startswith("access-control-") for name in lowered(response.headers))


def test_unless_every_origin_is_allowed_every_response_varies_by_origin(client, allowed_origins):
    allowed_origins(APP_ORIGIN)
    for origin in (APP_ORIGIN, "https://evil.example", None):
        headers = {"Origin": origin} if origin else {}
        assert lowered(client.get("/api/health", headers=headers).headers)["vary"] == "Origin", origin


def test_an_options_request_without_an_origin_is_no_preflight_and_is_not_refused(client, allowed_origins):
    allowed_origins(APP_ORIGIN)
    response = client.options("/api/posts")
    assert response.status_code == 204 and "access-control-allow-origin" not in lowered(response.headers)


def test_the_gateways_own_errors_name_one_origin_or_any_when_there_are_several():
    from infra.cloudformation import gateway_responses

    def allowed(origins):
        parameters = gateway_responses(origins)["DEFAULT_4XX"].get("responseParameters", {})
        return parameters.get("gatewayresponse.header.Access-Control-Allow-Origin")

    assert allowed(()) is None
    assert allowed((APP_ORIGIN,)) == f"'{APP_ORIGIN}'"
    assert allowed((APP_ORIGIN, "http://localhost:3000")) == "'*'"
