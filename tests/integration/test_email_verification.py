"""Email verification: registering mails a single-use link (24 h); POST
/api/auth/verify-email confirms; /resend mails another, rate limited."""
import re
from datetime import timedelta

import pytest

from chalicelib import clock, rate_limits
from chalicelib.consumers import mail as mail_consumer
from chalicelib.models import AccountToken, User
from tests.helpers import event_of, follow, get_json, login, post_json, register, register_and_login


@pytest.fixture
def client(local_client):
    return local_client


def link_token(client, to: str) -> str:
    """The token of the newest mail to `to`."""
    newest = get_json(client, f"/local/mail?to={to}")[0]
    return re.search(r"token=([A-Za-z0-9_-]+)", newest["text"]).group(1)


def verify(client, token: str):
    return post_json(client, "/api/auth/verify-email", {"token": token})


def later(monkeypatch, hours: float) -> None:
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(hours=hours))


def test_the_link_of_the_registration_mail_verifies_the_email(client, pump, published):
    user = register(client, "alice")
    assert user["email_verified"] is False
    pump.drain()
    response = verify(client, link_token(client, "alice@example.com"))
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
    me = get_json(client, "/api/auth/me", login(client, "alice@example.com"))
    assert me["email_verified"] is True
    assert [e.payload.user_id for e in published if e.type == "user.email_verified"] == [user["id"]]


def test_a_used_token_is_refused(client, pump):
    register(client, "alice")
    pump.drain()
    token = link_token(client, "alice@example.com")
    assert verify(client, token).status_code == 200
    response = verify(client, token)
    assert response.status_code == 400
    assert response.json_body == {"detail": "Invalid or expired token"}


def test_a_token_expires_after_24_hours(client, pump, monkeypatch):
    register(client, "alice")
    pump.drain()
    token = link_token(client, "alice@example.com")
    later(monkeypatch, 24)
    assert verify(client, token).json_body == {"detail": "Invalid or expired token"}


def test_a_token_works_until_just_before_24_hours(client, pump, monkeypatch):
    register(client, "alice")
    pump.drain()
    token = link_token(client, "alice@example.com")
    later(monkeypatch, 23.9)
    assert verify(client, token).status_code == 200


@pytest.mark.parametrize("token", ["", "nope", "x" * 5000, "\ud800"])
def test_unknown_or_absurd_tokens_are_400_never_5xx(client, aws, token):
    response = verify(client, token)
    assert response.status_code == 400
    assert response.json_body == {"detail": "Invalid or expired token"}


def test_a_reset_token_does_not_verify(client, pump):
    register(client, "alice")
    post_json(client, "/api/auth/password-reset", {"email": "alice@example.com"})
    pump.drain()
    [reset, _] = get_json(client, "/local/mail?to=alice@example.com")
    assert reset["subject"] == "Reset your password"
    assert verify(client, link_token(client, "alice@example.com")).status_code == 400


def test_only_its_hash_is_stored(client, pump):
    register(client, "alice")
    pump.drain()
    token = link_token(client, "alice@example.com")
    [record] = [r for r in AccountToken.query(mail_consumer.token_hash(token))]
    assert token not in str(record.attribute_values)
    assert len(token) >= 22  # at least 128 bits, base64url


def test_email_verified_is_shown_to_its_owner_only(client, aws):
    alice, alice_token = register_and_login(client, "alice")
    bob, bob_token = register_and_login(client, "bob")
    follow(client, bob_token, alice["id"])
    User(bob["id"]).update(actions=[User.email_verified.set(True)])
    assert get_json(client, "/api/auth/me", bob_token)["email_verified"] is True
    [seen] = get_json(client, f"/api/users/{alice['id']}/followers", alice_token)
    assert seen["id"] == bob["id"]
    assert seen["email_verified"] is None


def test_a_replayed_registration_event_mails_once(client, aws, monkeypatch):
    user = register(client, "alice")
    event = event_of(mail_consumer.UserRegistered, {"user_id": user["id"]})
    mail_consumer.send_verification(event)
    mail_consumer.send_verification(event)
    assert len(get_json(client, "/local/mail?to=alice@example.com")) == 1


def test_resend_mails_a_new_link_that_works(client, pump):
    user, token = register_and_login(client, "alice")
    pump.drain()
    first = link_token(client, "alice@example.com")
    response = post_json(client, "/api/auth/verify-email/resend", None, token)
    assert response.status_code == 202
    assert response.json_body == {"status": "ok"}
    pump.drain()
    second = link_token(client, "alice@example.com")
    assert second != first
    assert verify(client, second).status_code == 200
    assert User.get(user["id"]).email_verified is True


def test_resend_once_verified_is_400(client, pump):
    _, token = register_and_login(client, "alice")
    pump.drain()
    verify(client, link_token(client, "alice@example.com"))
    response = post_json(client, "/api/auth/verify-email/resend", None, token)
    assert response.status_code == 400
    assert response.json_body == {"detail": "Email already verified"}


def test_resend_needs_a_token(client, aws):
    assert post_json(client, "/api/auth/verify-email/resend").status_code == 401


def test_resend_is_rate_limited_with_retry_after(client, aws, monkeypatch):
    monkeypatch.setattr(rate_limits, "_now", lambda: 1_800_000_000.0)
    monkeypatch.setenv("VERIFICATION_RESENDS_PER_HOUR", "2")
    _, token = register_and_login(client, "alice")
    for _ in range(2):
        assert post_json(client, "/api/auth/verify-email/resend", None, token).status_code == 202
    response = post_json(client, "/api/auth/verify-email/resend", None, token)
    assert response.status_code == 429
    assert {k.lower(): v for k, v in response.headers.items()}["retry-after"] == "3600"


def test_an_unverified_account_may_do_everything(client, aws):
    _, token = register_and_login(client, "alice")
    assert post_json(client, "/api/posts", {"content": "hello"}, token).status_code == 201


def test_round_trips_as_docs_data_model_says(client, aws, dynamodb_calls):
    user, access = register_and_login(client, "alice")
    dynamodb_calls.clear()
    mail_consumer.send_verification(event_of(mail_consumer.UserRegistered, {"user_id": user["id"]}))
    # the user, the token's record (a replay?), its Put, its `mailed` mark
    assert list(dynamodb_calls) == ["GetItem", "GetItem", "PutItem", "UpdateItem"]
    dynamodb_calls.clear()
    post_json(client, "/api/auth/verify-email/resend", None, access)
    # the token check, the write limit, the resend limit, the transaction, the outbox entry
    assert list(dynamodb_calls) == ["GetItem", "UpdateItem", "UpdateItem", "TransactWriteItems", "DeleteItem"]
    dynamodb_calls.clear()
    verify(client, link_token(client, "alice@example.com"))
    assert list(dynamodb_calls) == ["GetItem", "TransactWriteItems", "DeleteItem"]
