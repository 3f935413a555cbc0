"""Behind an HTTP API (API_GATEWAY=http), the API function gets events of
payload format 1.0 as AWS documents them for HTTP APIs: a REST proxy
event's shape, with lower-case header names, the route's path as the
resource, the `$default` stage, and no stage in the path. Chalice routes
them like its own REST API's."""
import json

from app import app


def http_api_event(method: str, route: str, path: str, body=None, headers=None, path_parameters=None) -> dict:
    headers = {"host": "abc123.execute-api.us-east-1.amazonaws.com", "user-agent": "curl/8.5.0",
               "x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https", **(headers or {})}
    if body is not None:
        headers["content-type"] = "application/json"
    return {
        "version": "1.0", "resource": route, "path": path, "httpMethod": method,
        "headers": headers, "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None,
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123", "domainName": headers["host"], "domainPrefix": "abc123",
            "extendedRequestId": "JzMqKjQ4IAMEV9A=", "httpMethod": method,
            "identity": {"sourceIp": "203.0.113.9", "userAgent": headers["user-agent"]},
            "path": path, "protocol": "HTTP/1.1", "requestId": "JzMqKjQ4IAMEV9A=",
            "requestTime": "06/Dec/2026:07:00:00 +0000", "requestTimeEpoch": 1796540400000,
            "resourceId": f"{method} {route}", "resourcePath": route, "stage": "$default",
        },
        "pathParameters": path_parameters, "stageVariables": None,
        "body": None if body is None else json.dumps(body), "isBase64Encoded": False,
    }


def test_the_api_function_answers_an_http_api_event_as_it_does_a_rest_one(aws):
    registered = app(http_api_event("POST", "/api/auth/register", "/api/auth/register", body={
        "username": "hugo", "email": "hugo@example.com", "password": "correct horse battery"}), None)
    assert registered["statusCode"] == 201, registered
    user_id = json.loads(registered["body"])["id"]

    login = app(http_api_event("POST", "/api/auth/login", "/api/auth/login", body={
        "email": "hugo@example.com", "password": "correct horse battery"}), None)
    token = json.loads(login["body"])["access_token"]

    profile = app(http_api_event("GET", "/api/users/{user_id}", f"/api/users/{user_id}",
                                 headers={"authorization": f"Bearer {token}"},
                                 path_parameters={"user_id": str(user_id)}), None)
    assert profile["statusCode"] == 200
    assert json.loads(profile["body"])["username"] == "hugo"


def test_a_preflight_reaches_the_function_and_is_answered_by_its_cors(aws):
    answer = app(http_api_event("OPTIONS", "/api/auth/login", "/api/auth/login",
                                headers={"origin": "http://127.0.0.1:8000", "access-control-request-method": "POST"}),
                 None)
    assert answer["statusCode"] in (200, 204)
    assert {name.lower() for name in answer["headers"]} >= {"access-control-allow-methods"}
