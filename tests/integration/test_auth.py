"""POST /api/auth/register, POST /api/auth/login, GET /api/auth/me."""
import hashlib
import hmac
import json
import time

import jwt
import pytest

from tests.helpers import get, login, post_json, register, register_and_login, unique_name

# The local stage's published secret; tokens are signed with a key derived from it.
SECRET = hmac.new(b"local-development-secret-not-for-production", b"instagram/access-token", hashlib.sha256).digest()
FORGED = "a-forged-secret-that-is-long-enough-for-hs256"


def test_register_returns_the_new_user_with_its_own_email(client):
    response = post_json(client, "/api/auth/register", {
        "username": "alice", "email": "Alice@Example.com", "password": "correct horse",
        "full_name": "Alice Liddell",
    })
    assert response.status_code == 201
    body = response.json_body
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["full_name"] == "Alice Liddell"
    assert body["is_active"] is True
    assert isinstance(body["id"], int) and 0 < body["id"] <= 2**53 - 1
    assert body["created_at"].endswith("+00:00")
    assert "password" not in str(body) and "password_hash" not in body


def test_user_ids_increase_with_creation_time(client):
    first, second = register(client), register(client)
    assert second["id"] > first["id"]


def test_duplicate_email_is_refused_whatever_its_case(client):
    register(client, "bob", email="bob@example.com")
    response = post_json(client, "/api/auth/register", {
        "username": "bobby", "email": "BOB@example.com", "password": "correct horse"})
    assert response.status_code == 400
    assert response.json_body == {"detail": "Email already registered"}


def test_duplicate_username_is_refused_whatever_its_case(client):
    register(client, "carol")
    response = post_json(client, "/api/auth/register", {
        "username": "Carol", "email": "other@example.com", "password": "correct horse"})
    assert response.status_code == 400
    assert response.json_body == {"detail": "Username already taken"}


def test_a_refused_registration_changes_nothing(client):
    register(client, "dave", email="dave@example.com")
    post_json(client, "/api/auth/register", {
        "username": "dave", "email": "new@example.com", "password": "correct horse"})
    # The email of the refused attempt was not claimed.
    register(client, "dave2", email="new@example.com")


@pytest.mark.parametrize("body, field", [
    ({"email": "x@example.com", "password": "correct horse"}, "username"),
    ({"username": "x", "password": "correct horse"}, "email"),
    ({"username": "x", "email": "x@example.com"}, "password"),
    ({"username": "x", "email": "not-an-email", "password": "correct horse"}, "email"),
    ({"username": "x", "email": "x@example.com", "password": "short"}, "password"),
    ({"username": "x", "email": "x@example.com", "password": "é" * 37}, "password"),
    ({"username": "no spaces", "email": "x@example.com", "password": "correct horse"}, "username"),
    ({"username": "x" * 31, "email": "x@example.com", "password": "correct horse"}, "username"),
    ({"username": 5, "email": "x@example.com", "password": "correct horse"}, "username"),
])
def test_invalid_registration_is_422_naming_the_field(client, body, field):
    response = post_json(client, "/api/auth/register", body)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"", b"null"])
def test_a_body_that_is_not_a_json_object_is_a_4xx(client, raw):
    response = client.post("/api/auth/register", headers={"Content-Type": "application/json"}, body=raw)
    assert 400 <= response.status_code < 500
    assert set(response.json_body) == {"detail"}


def test_login_returns_a_bearer_token(client):
    user = register(client)
    response = post_json(client, "/api/auth/login", {"email": user["email"], "password": "correct horse"})
    assert response.status_code == 200
    assert response.json_body["token_type"] == "bearer"
    claims = jwt.decode(response.json_body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == str(user["id"]) and claims["exp"] > time.time()


def test_login_email_is_case_insensitive(client):
    user = register(client)
    assert login(client, user["email"].upper())


@pytest.mark.parametrize("email, password", [
    ("nobody@example.com", "correct horse"),  # unknown email
    (None, "wrong password"),                  # wrong password
    (None, "x"),                               # no length rules on login
    (None, "é" * 80),                          # longer than bcrypt reads
])
def test_bad_credentials_are_401_invalid_credentials(client, email, password):
    user = register(client)
    response = post_json(client, "/api/auth/login", {"email": email or user["email"], "password": password})
    assert response.status_code == 401
    assert response.json_body == {"detail": "Invalid credentials"}


def test_me_returns_the_current_user(client):
    user, token = register_and_login(client)
    response = get(client, "/api/auth/me", token)
    assert response.status_code == 200
    assert response.json_body == user


def _token(claims, key=SECRET, algorithm="HS256"):
    return jwt.encode(claims, key, algorithm=algorithm)


def _claims(user_id, **changes):
    """The claims of a good token for user_id, with some changed (None: left out)."""
    claims = {"sub": str(user_id), "exp": time.time() + 60, "password_version": 0, **changes}
    return {name: value for name, value in claims.items() if value is not None}


def test_a_hand_made_token_with_good_claims_is_accepted(client):
    user = register(client)
    assert get(client, "/api/auth/me", _token(_claims(user["id"]))).status_code == 200


@pytest.mark.parametrize("make_header", [
    lambda uid: None,                                                   # missing
    lambda uid: "Token abc",                                            # wrong scheme
    lambda uid: "Bearer ",                                              # empty
    lambda uid: "Bearer not.a.jwt",                                     # malformed
    lambda uid: "Bearer " + _token(_claims(uid), key=FORGED),
    lambda uid: "Bearer " + _token(_claims(uid, exp=time.time() - 1)),  # expired
    lambda uid: "Bearer " + _token(_claims(uid, exp=None)),             # no exp
    lambda uid: "Bearer " + _token(_claims(uid), key=None, algorithm="none"),
    lambda uid: "Bearer " + _token(_claims(uid, sub="not-a-number")),
    lambda uid: "Bearer " + _token(_claims(uid, sub="12345")),          # no such user
    lambda uid: "Bearer " + _token(_claims(uid, password_version=None)),
    lambda uid: "Bearer " + _token(_claims(uid, password_version=1)),   # not the user's version
    lambda uid: "Bearer " + _token(_claims(uid, password_version="0")),
    lambda uid: "Bearer " + _token(_claims(uid, password_version=True)),
])
def test_me_without_a_valid_token_is_401(client, make_header):
    user = register(client, unique_name())
    header = make_header(user["id"])
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/auth/me", headers=headers)
    assert response.status_code == 401
    assert set(response.json_body) == {"detail"}


@pytest.mark.parametrize("email, password", [
    ("nobody@example.com", "\ud800"),             # a lone surrogate
    ("a" * 3000 + "@example.com", "whatever"),    # longer than any key
])
def test_absurd_credentials_are_401_not_5xx(client, email, password):
    response = post_json(client, "/api/auth/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert response.json_body == {"detail": "Invalid credentials"}


def test_login_ignores_spaces_around_the_email_as_register_does(client):
    user = register(client)
    assert login(client, f"  {user['email']}  ")


@pytest.mark.parametrize("subject", ["-5", "0", str(2**53), "1e3", "٣"])
def test_a_token_naming_an_impossible_user_id_is_401(client, subject):
    token = _token(_claims(1, sub=subject))
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_deeply_nested_body_is_400(client):
    body = b'{"username": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = client.post("/api/auth/register", headers={"Content-Type": "application/json"}, body=body)
    assert response.status_code == 400
    assert response.json_body == {"detail": "Request body is not valid JSON"}


def test_a_body_over_64_kib_is_413(client):
    body = json.dumps({"username": "x", "email": "x@example.com", "password": "p" * 70_000}).encode()
    response = client.post("/api/auth/register", headers={"Content-Type": "application/json"}, body=body)
    assert response.status_code == 413
    assert set(response.json_body) == {"detail"}
