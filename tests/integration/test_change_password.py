"""PUT /api/auth/password (ours): a new password, a new token, and every
token issued before stops working."""

import pytest

from chalicelib import events
from chalicelib.commands import auth
from chalicelib.errors import Unauthorized
from chalicelib.models import User
from tests.helpers import (
    TOKEN_CHECK,
    auth_headers,
    get,
    login,
    of_types,
    post_json,
    put_json,
    register_and_login,
    watching_aws_calls,
)

OLD, NEW = "correct horse", "battery staple"


def change_password(client, token: str | None, current: str = OLD, new: str = NEW):
    return put_json(client, "/api/auth/password", {"current_password": current, "new_password": new}, token)


def can_log_in(client, email: str, password: str) -> bool:
    response = post_json(client, "/api/auth/login", {"email": email, "password": password})
    assert response.status_code in (200, 401), response.json_body
    return response.status_code == 200


def test_changing_the_password_returns_a_token_that_works(client):
    user, token = register_and_login(client)
    response = change_password(client, token)
    assert response.status_code == 200
    assert response.json_body["token_type"] == "bearer"
    me = get(client, "/api/auth/me", response.json_body["access_token"])
    assert me.status_code == 200 and me.json_body["id"] == user["id"]


def test_every_older_token_stops_working(client):
    user, token = register_and_login(client)
    other_session = login(client, user["email"], OLD)
    assert change_password(client, token).status_code == 200
    for old_token in (token, other_session):
        response = get(client, "/api/auth/me", old_token)
        assert response.status_code == 401
        assert response.json_body == {"detail": "Could not validate credentials"}
    # Writes too, not only reads.
    assert post_json(client, "/api/posts", {"content": "still me?"}, token).status_code == 401


def test_only_the_new_password_logs_in(client):
    user, token = register_and_login(client)
    change_password(client, token)
    assert not can_log_in(client, user["email"], OLD)
    assert can_log_in(client, user["email"], NEW)


def test_a_second_change_retires_the_first_changes_token(client):
    user, token = register_and_login(client)
    first = change_password(client, token).json_body["access_token"]
    second = change_password(client, first, current=NEW, new="third password").json_body["access_token"]
    assert get(client, "/api/auth/me", first).status_code == 401
    assert get(client, "/api/auth/me", second).status_code == 200
    assert can_log_in(client, user["email"], "third password")


def test_a_wrong_current_password_is_403_and_changes_nothing(client):
    user, token = register_and_login(client)
    response = change_password(client, token, current="not my password")
    assert response.status_code == 403
    assert response.json_body == {"detail": "Current password is incorrect"}
    assert get(client, "/api/auth/me", token).status_code == 200
    assert can_log_in(client, user["email"], OLD)
    assert not can_log_in(client, user["email"], NEW)


@pytest.mark.parametrize("new_password", [
    "short",
    "é" * 37,  # 74 bytes: bcrypt would silently ignore the end
    "\ud800" * 8,  # a lone surrogate cannot be encoded at all
])
def test_a_new_password_breaking_the_registration_rules_is_422(client, new_password):
    user, token = register_and_login(client)
    response = change_password(client, token, new=new_password)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("new_password:")
    assert get(client, "/api/auth/me", token).status_code == 200
    assert can_log_in(client, user["email"], OLD)


@pytest.mark.parametrize("raw", [b"", b"not json", b'{"current_password": "correct horse"}', b"[1]"])
def test_a_malformed_body_is_4xx_and_changes_nothing(client, raw):
    user, token = register_and_login(client)
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    response = client.put("/api/auth/password", headers=headers, body=raw)
    assert response.status_code in (400, 422)
    assert set(response.json_body) == {"detail"}
    assert get(client, "/api/auth/me", token).status_code == 200


def test_changing_the_password_needs_a_token(client):
    assert change_password(client, None).status_code == 401


def test_a_change_publishes_user_password_changed_without_secrets(client, published):
    user, token = register_and_login(client)
    change_password(client, token)
    [event] = of_types(published, {events.UserPasswordChanged.type})
    assert event.data == {"user_id": user["id"]}


def test_of_two_changes_from_the_same_password_only_one_wins(client):
    """Both callers proved the same current password; once one has changed
    it, the other's proof is stale (a conditional write on the hash), and so
    is its token."""
    user, _ = register_and_login(client)
    as_read = User.get(user["id"])
    auth.change_password(as_read, OLD, NEW)
    with pytest.raises(Unauthorized):
        auth.change_password(as_read, OLD, "another password")
    assert can_log_in(client, user["email"], NEW)


def test_a_user_stored_before_password_versions_existed_can_change_it(client):
    user, token = register_and_login(client)
    User(user["id"]).update(actions=[User.password_version.remove()])
    assert change_password(client, token).status_code == 200
    assert can_log_in(client, user["email"], NEW)


def test_a_change_costs_the_round_trips_of_the_data_model(client, dynamodb_calls):
    _, token = register_and_login(client)
    dynamodb_calls.clear()
    assert change_password(client, token).status_code == 200
    # The token check, the write rate limit, the account's attempt, the update
    # with its event, the outbox entry's cleanup, the attempt given back.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "UpdateItem", "TransactWriteItems", "DeleteItem",
                              "UpdateItem"]


def test_checking_a_token_is_one_consistent_get_item(client):
    _, token = register_and_login(client)
    calls = []
    with watching_aws_calls("dynamodb", lambda operation, params: calls.append((operation, params))):
        assert get(client, "/api/auth/me", token).status_code == 200
    [(operation, params)] = calls
    assert operation == "GetItem" and params["ConsistentRead"] is True
