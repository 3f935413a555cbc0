"""Small steps that many tests take."""
import itertools
import json

_counter = itertools.count(1)


def unique_name(prefix: str = "user") -> str:
    return f"{prefix}{next(_counter)}"


def post_json(client, path: str, body=None, token: str | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return client.post(path, headers=headers, body=json.dumps(body) if body is not None else b"")


def get(client, path: str, token: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


def register(client, username: str | None = None, *, email: str | None = None,
             password: str = "correct horse", full_name: str | None = None) -> dict:
    username = username or unique_name()
    response = post_json(client, "/api/auth/register", {
        "username": username,
        "email": email or f"{username}@example.com",
        "password": password,
        "full_name": full_name,
    })
    assert response.status_code == 201, response.json_body
    return response.json_body


def login(client, email: str, password: str = "correct horse") -> str:
    response = post_json(client, "/api/auth/login", {"email": email, "password": password})
    assert response.status_code == 200, response.json_body
    return response.json_body["access_token"]


def register_and_login(client, username: str | None = None, **kwargs) -> tuple[dict, str]:
    user = register(client, username, **kwargs)
    return user, login(client, user["email"], kwargs.get("password", "correct horse"))


def next_cursor(response) -> str | None:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return headers.get("x-next-cursor")
