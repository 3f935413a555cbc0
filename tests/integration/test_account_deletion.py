"""DELETE /api/users/me (docs/accounts.md, "Account deletion"): what holds
from the answer on, before any consumer of user.deleted has run. No test
here drains the pump after the deletion: the queued events wait, as they
may in production while the erasure runs."""
import json

import pytest

from chalicelib import events
from chalicelib.models import UniqueKey, User
from tests.helpers import (
    TOKEN_CHECK,
    auth_headers,
    get,
    login_attempt,
    of_types,
    post_json,
    register,
    register_and_login,
)

PASSWORD = "correct horse"


def delete_account(client, token: str | None, password: str | None = PASSWORD):
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    body = {"password": password} if password is not None else {}
    return client.delete("/api/users/me", headers=headers, body=json.dumps(body))


# --- the request ------------------------------------------------------------------------

def test_deleting_my_account_answers_204_and_leaves_a_tombstone_without_personal_data(client):
    user, token = register_and_login(client, full_name="Anna Karenina")
    response = delete_account(client, token)
    assert response.status_code == 204
    assert response.body in (b"", "", None)
    tombstone = User.get(user["id"], consistent_read=True)
    assert tombstone.deleted and tombstone.is_active is False
    assert (tombstone.email, tombstone.full_name, tombstone.bio, tombstone.profile_image_url) == (None,) * 4
    assert not tombstone.password_hash.startswith("$2")


def test_a_wrong_password_is_403_and_deletes_nothing(client):
    user, token = register_and_login(client)
    response = delete_account(client, token, "not my password")
    assert response.status_code == 403
    assert response.json_body == {"detail": "Password is incorrect"}
    assert get(client, "/api/auth/me", token).status_code == 200
    assert login_attempt(client, user["email"], PASSWORD).status_code == 200


@pytest.mark.parametrize("raw", [b"", b"{}", b'{"password": null}', b"[1]"])
def test_a_missing_password_is_422_and_deletes_nothing(client, raw):
    _, token = register_and_login(client)
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    response = client.delete("/api/users/me", headers=headers, body=raw)
    assert response.status_code == 422
    assert set(response.json_body) == {"detail"}
    assert get(client, "/api/auth/me", token).status_code == 200


def test_deleting_needs_a_token(client):
    assert delete_account(client, None).status_code == 401


def test_wrong_passwords_count_in_the_bucket_of_password_changes(client, clock, limits):
    """Like a wrong current password (and apart from failed logins): a
    stolen token cannot guess the password through this route either."""
    limits(PASSWORD_ATTEMPTS_PER_USER=2)
    _, token = register_and_login(client)
    assert delete_account(client, token, "wrong").status_code == 403
    change = {"current_password": "wrong", "new_password": "battery staple"}
    headers = {"Content-Type": "application/json", **auth_headers(token)}
    assert client.put("/api/auth/password", headers=headers, body=json.dumps(change)).status_code == 403
    response = delete_account(client, token)
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert get(client, "/api/auth/me", token).status_code == 200


def test_a_second_delete_with_the_same_token_is_401(client):
    _, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    response = delete_account(client, token)
    assert response.status_code == 401
    assert response.json_body == {"detail": "Could not validate credentials"}


def test_the_deletion_publishes_user_deleted_with_the_profile_photo(client, published):
    user, token = register_and_login(client)
    User(user["id"]).update(actions=[User.profile_media_id.set(77), User.profile_image_url.set("https://x/t.jpg")])
    assert delete_account(client, token).status_code == 204
    [event] = of_types(published, {events.UserDeleted.type})
    assert event.data == {"user_id": user["id"], "username": user["username"], "media_ids": [77]}


def test_the_deletion_is_one_transaction_after_the_password_check(client, dynamodb_calls):
    _, token = register_and_login(client)
    dynamodb_calls.clear()
    assert delete_account(client, token).status_code == 204
    # The token check, the write limit, the password attempt, the tombstone
    # with both claims and the event, the outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "UpdateItem", "TransactWriteItems", "DeleteItem"]


def test_a_claim_that_names_someone_else_is_left_alone(client):
    """The claims go only while they name the deleted user."""
    user, token = register_and_login(client)
    UniqueKey(key=UniqueKey.for_username(user["username"]), user_id=999).save()
    assert delete_account(client, token).status_code == 204
    assert UniqueKey.get(UniqueKey.for_username(user["username"])).user_id == 999
    assert UniqueKey.count(UniqueKey.for_email(user["email"])) == 0


# --- from the answer on: the account itself ---------------------------------------------

def test_every_token_of_the_account_is_401_at_once(client):
    user, token = register_and_login(client)
    other_session = login_attempt(client, user["email"], PASSWORD).json_body["access_token"]
    assert delete_account(client, token).status_code == 204
    for old in (token, other_session):
        assert get(client, "/api/auth/me", old).status_code == 401
        assert get(client, "/api/feed", old).status_code == 401
        assert post_json(client, "/api/posts", {"content": "still here?"}, old).status_code == 401


def test_logging_in_as_a_deleted_account_is_401(client):
    user, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    response = login_attempt(client, user["email"], PASSWORD)
    assert response.status_code == 401
    assert response.json_body == {"detail": "Invalid credentials"}


def test_the_username_and_email_can_be_registered_again_at_once(client):
    user, token = register_and_login(client, "phoenix")
    assert delete_account(client, token).status_code == 204
    again = register(client, "Phoenix", email=user["email"].upper())
    assert again["id"] != user["id"]
    token = login_attempt(client, user["email"], PASSWORD).json_body["access_token"]
    assert get(client, "/api/auth/me", token).json_body["id"] == again["id"]


def test_the_profile_is_404_to_everyone(client, bob):
    user, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    for viewer in (None, bob.token):
        for path in (f"/api/users/{user['id']}", f"/api/users/{user['id']}/posts",
                     f"/api/users/{user['id']}/followers", f"/api/users/{user['id']}/following"):
            response = get(client, path, viewer)
            assert response.status_code == 404, path
            assert response.json_body == {"detail": "User not found"}


def test_nobody_can_follow_block_or_message_a_deleted_account(client, bob):
    user, token = register_and_login(client)
    assert delete_account(client, token).status_code == 204
    assert post_json(client, f"/api/follow/{user['id']}", None, bob.token).status_code == 404
    assert post_json(client, f"/api/blocks/{user['id']}", None, bob.token).status_code == 404
    message = {"receiver_id": user["id"], "content": "are you there?"}
    assert post_json(client, "/api/messages", message, bob.token).status_code == 404
