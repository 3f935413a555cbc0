"""Password reset: POST /api/auth/password-reset answers the same for any
address and mails only a known one; the mailed link sets a new password
once, within an hour, and retires every earlier token."""
import re
from datetime import timedelta

import pytest

from chalicelib import clock
from chalicelib.commands import accounts
from tests.helpers import get, get_json, post_json, put_json, register, register_and_login

RESET = "/api/auth/password-reset"
CONFIRM = "/api/auth/password-reset/confirm"
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def client(local_client):
    return local_client


def ask(client, email: str):
    return post_json(client, RESET, {"email": email})


def reset_mails(client, to: str) -> list[dict]:
    return [m for m in get_json(client, f"/local/mail?to={to}") if m["subject"] == "Reset your password"]


def reset_token(client, to: str) -> str:
    return re.search(r"token=([A-Za-z0-9_-]+)", reset_mails(client, to)[0]["text"]).group(1)


def confirm(client, token: str, password: str = NEW_PASSWORD):
    return post_json(client, CONFIRM, {"token": token, "new_password": password})


def log_in(client, email: str, password: str):
    return post_json(client, "/api/auth/login", {"email": email, "password": password})


def test_the_mailed_link_sets_a_new_password(client, pump):
    register(client, "alice")
    response = ask(client, "alice@example.com")
    assert response.status_code == 202
    assert response.json_body == {"status": "ok"}
    pump.drain()
    response = confirm(client, reset_token(client, "alice@example.com"))
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}
    assert log_in(client, "alice@example.com", NEW_PASSWORD).status_code == 200
    assert log_in(client, "alice@example.com", "correct horse").status_code == 401


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_mail(client, pump):
    register(client, "alice")
    known, unknown = ask(client, "alice@example.com"), ask(client, "nobody@example.com")
    assert (known.status_code, known.json_body) == (unknown.status_code, unknown.json_body) == (202, {"status": "ok"})
    assert known.headers.keys() == unknown.headers.keys()
    pump.drain()
    assert len(reset_mails(client, "alice@example.com")) == 1
    assert get_json(client, "/local/mail?to=nobody@example.com") == []


def test_the_request_makes_the_same_calls_for_known_and_unknown_addresses(client, aws, dynamodb_calls):
    register(client, "alice")
    dynamodb_calls.clear()
    ask(client, "alice@example.com")
    known = list(dynamodb_calls)
    dynamodb_calls.clear()
    ask(client, "nobody@example.com")
    assert list(dynamodb_calls) == known


def test_the_address_is_case_and_space_insensitive(client, pump):
    register(client, "alice")
    ask(client, "  ALICE@Example.com ")
    pump.drain()
    assert len(reset_mails(client, "alice@example.com")) == 1


def test_a_used_token_is_refused(client, pump):
    register(client, "alice")
    ask(client, "alice@example.com")
    pump.drain()
    token = reset_token(client, "alice@example.com")
    assert confirm(client, token).status_code == 200
    response = confirm(client, token, "yet another secret")
    assert response.status_code == 400
    assert response.json_body == {"detail": "Invalid or expired token"}


def test_a_token_expires_after_an_hour(client, pump, monkeypatch):
    register(client, "alice")
    ask(client, "alice@example.com")
    pump.drain()
    token = reset_token(client, "alice@example.com")
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(hours=1))
    assert confirm(client, token).json_body == {"detail": "Invalid or expired token"}
    assert log_in(client, "alice@example.com", "correct horse").status_code == 200


def test_a_reset_retires_every_earlier_access_token_and_every_other_reset_token(client, pump):
    _, old_access = register_and_login(client, "alice")
    ask(client, "alice@example.com")
    ask(client, "alice@example.com")
    pump.drain()
    first, second = [re.search(r"token=([A-Za-z0-9_-]+)", m["text"]).group(1)
                     for m in reset_mails(client, "alice@example.com")]
    assert confirm(client, first).status_code == 200
    assert get(client, "/api/auth/me", old_access).status_code == 401
    assert confirm(client, second, "yet another secret").status_code == 400
    assert log_in(client, "alice@example.com", NEW_PASSWORD).status_code == 200


def test_a_password_change_retires_a_pending_reset_token(client, pump):
    _, access = register_and_login(client, "alice")
    ask(client, "alice@example.com")
    pump.drain()
    token = reset_token(client, "alice@example.com")
    assert put_json(client, "/api/auth/password", {"current_password": "correct horse",
                                                   "new_password": "changed it myself"}, access).status_code == 200
    assert confirm(client, token).status_code == 400


def test_the_new_password_follows_registers_rules(client, pump):
    register(client, "alice")
    ask(client, "alice@example.com")
    pump.drain()
    token = reset_token(client, "alice@example.com")
    response = confirm(client, token, "short")
    assert response.status_code == 422
    assert "new_password" in response.json_body["detail"]
    assert confirm(client, token).status_code == 200  # the refused attempt did not use it


@pytest.mark.parametrize("body", [{}, {"email": "not an address"}, {"email": 5}])
def test_a_malformed_request_is_422(client, aws, body):
    assert post_json(client, RESET, body).status_code == 422


@pytest.mark.parametrize("token", ["", "nope", "x" * 5000])
def test_unknown_tokens_are_400(client, aws, token):
    assert confirm(client, token).json_body == {"detail": "Invalid or expired token"}


def test_requests_are_paced_per_address_the_same_for_unknown_ones(client, aws, clock, monkeypatch):
    monkeypatch.setenv("PASSWORD_RESETS_PER_EMAIL", "2")
    register(client, "alice")
    for email in ("alice@example.com", "nobody@example.com"):
        # two free, a third that makes the next wait a second
        assert [ask(client, email).status_code for _ in range(4)] == [202, 202, 202, 429]
    assert ask(client, "carol@example.com").status_code == 202  # another address is unaffected


def test_a_stranger_asking_for_my_address_delays_my_reset_but_never_locks_it(client, aws, clock, monkeypatch):
    monkeypatch.setenv("PASSWORD_RESETS_PER_CLIENT", "1000")
    register(client, "alice")
    waits = []
    while not waits or waits[-1] < accounts.RESET_MAX_DELAY_SECONDS:  # a stranger asks again as soon as allowed
        answer = ask(client, "alice@example.com")
        if answer.status_code == 429:
            waits.append(int(answer.headers["Retry-After"]))
            clock[0] += waits[-1]
        assert len(waits) < 100
    assert waits[-1] == accounts.RESET_MAX_DELAY_SECONDS  # the waits grew to their cap, and no further
    clock[0] -= waits[-1]
    assert ask(client, "alice@example.com").status_code == 429  # the owner, right after the stranger's last
    clock[0] += accounts.RESET_MAX_DELAY_SECONDS
    assert ask(client, "alice@example.com").status_code == 202  # at most that long after it


def test_requests_are_limited_per_client_address(client, aws, clock, monkeypatch):
    monkeypatch.setenv("PASSWORD_RESETS_PER_CLIENT", "3")
    statuses = [ask(client, f"someone{n}@example.com").status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]


def test_round_trips_as_docs_data_model_says(client, pump, dynamodb_calls):
    register(client, "alice")
    dynamodb_calls.clear()
    ask(client, "alice@example.com")
    # two rate-limit counters, the outbox's transaction, the outbox entry's deletion
    assert list(dynamodb_calls) == ["UpdateItem", "UpdateItem", "TransactWriteItems", "DeleteItem"]
    pump.drain()
    token = reset_token(client, "alice@example.com")
    dynamodb_calls.clear()
    confirm(client, token)
    assert list(dynamodb_calls) == ["GetItem", "TransactWriteItems", "DeleteItem"]
