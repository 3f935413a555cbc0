"""Rate limits: failed logins per account and address, per address and
(paced) per account, wrong current passwords per user, registrations per
address, writes per user. A limited request is 429 {"detail": ...} with
Retry-After."""

import pytest

from chalicelib import config, rate_limits
from chalicelib.errors import TooManyRequests
from chalicelib.models import RateLimit
from tests.helpers import (
    RATE_LIMIT_START as START,
)
from tests.helpers import (
    calling_from,
    create_post,
    delete,
    get,
    login,
    post_json,
    put_json,
    register,
    register_and_login,
)
from tests.helpers import (
    login_attempt as attempt,
)


def assert_too_many(response, retry_after: int | None = None):
    assert response.status_code == 429, response.json_body
    assert set(response.json_body) == {"detail"}
    seconds = int({k.lower(): v for k, v in response.headers.items()}["retry-after"])
    assert response.json_body["detail"] == f"Too many requests, retry in {seconds} s"
    assert seconds >= 1
    if retry_after is not None:
        assert seconds == retry_after


# --- login, per account and address: tight, and the only lock -----------------------

def test_bad_passwords_are_401_until_the_account_and_address_limit_then_429(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=3)
    user = register(client)
    for _ in range(3):
        response = attempt(client, user["email"], "wrong password")
        assert response.status_code == 401
        assert response.json_body == {"detail": "Invalid credentials"}
    clock[0] = START + 100
    assert_too_many(attempt(client, user["email"], "wrong password"), retry_after=15 * 60 - 100)
    # While limited, the right password is refused too from here (it is not even checked).
    assert_too_many(attempt(client, user["email"], "correct horse"))


def test_the_account_limit_ignores_the_emails_case_and_spaces(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=2)
    user = register(client)
    attempt(client, user["email"].upper(), "wrong password")
    attempt(client, f"  {user['email']} ", "wrong password")
    assert_too_many(attempt(client, user["email"], "correct horse"))


def test_successful_logins_do_not_count_against_the_account(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=2, LOGIN_ATTEMPTS_PER_ACCOUNT=2)
    user = register(client)
    for _ in range(5):
        login(client, user["email"])
    assert attempt(client, user["email"], "wrong password").status_code == 401
    login(client, user["email"])


def test_unknown_emails_are_limited_like_known_ones(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=2)
    for _ in range(2):
        assert attempt(client, "nobody@example.com", "x").status_code == 401
    assert_too_many(attempt(client, "nobody@example.com", "x"))


def test_another_account_is_unaffected(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=1)
    victim, other = register(client), register(client)
    attempt(client, victim["email"], "wrong password")
    assert_too_many(attempt(client, victim["email"], "correct horse"))
    assert login(client, other["email"])


def test_the_same_account_from_another_address_is_unaffected(client, clock, limits, monkeypatch):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=1)
    user = register(client)
    calling_from(monkeypatch, "203.0.113.5")
    attempt(client, user["email"], "wrong password")
    assert_too_many(attempt(client, user["email"], "correct horse"))
    calling_from(monkeypatch, "198.51.100.7")
    assert login(client, user["email"])


def test_the_window_resets(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=1)
    user = register(client)
    attempt(client, user["email"], "wrong password")
    clock[0] = START + 15 * 60 - 1
    assert_too_many(attempt(client, user["email"], "correct horse"), retry_after=1)
    clock[0] = START + 15 * 60
    assert login(client, user["email"])


def test_an_absurd_email_is_401_then_429_never_5xx(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=1)
    email = "a" * 60_000 + "@example.com"
    assert attempt(client, email, "whatever").status_code == 401
    assert_too_many(attempt(client, email, "whatever"))


def test_a_lone_surrogate_in_the_email_is_not_a_5xx(client, clock):
    response = client.post("/api/auth/login", headers={"Content-Type": "application/json"},
                           body=b'{"email": "\\ud800@example.com", "password": "x"}')
    assert 400 <= response.status_code < 500
    assert set(response.json_body) == {"detail"}


# --- login, per account from everywhere: loose, then paced, never locked ---------------

def test_failures_from_many_addresses_past_the_free_ones_wait_a_growing_capped_delay(client, clock, limits,
                                                                                      monkeypatch):
    limits(LOGIN_ATTEMPTS_PER_ACCOUNT=2, LOGIN_MAX_DELAY_SECONDS=4)
    user = register(client)
    for number in range(1, 4):
        calling_from(monkeypatch, f"203.0.113.{number}")
        assert attempt(client, user["email"], "wrong password").status_code == 401
    # The third failure was one beyond the free two: the next waits 1 s, from any address.
    calling_from(monkeypatch, "203.0.113.50")
    assert_too_many(attempt(client, user["email"], "wrong password"), retry_after=1)
    delays = [1]
    for _ in range(4):
        clock[0] += delays[-1]
        assert attempt(client, user["email"], "wrong password").status_code == 401
        response = attempt(client, user["email"], "correct horse")
        assert_too_many(response)
        delays.append(int({k.lower(): v for k, v in response.headers.items()}["retry-after"]))
    assert delays == [1, 2, 4, 4, 4]
    # Its owner is delayed, never locked: once the delay is over the right password works.
    clock[0] += 4
    assert login(client, user["email"])


# --- wrong current passwords at PUT /api/auth/password: the signed-in owner's own limit ---

def change_password(client, token: str, current: str):
    return put_json(client, "/api/auth/password", {"current_password": current, "new_password": "battery staple"},
                    token)


def test_wrong_current_passwords_are_limited_per_user_apart_from_failed_logins(client, clock, limits):
    limits(PASSWORD_ATTEMPTS_PER_USER=2, LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=1)
    user, token = register_and_login(client)
    assert attempt(client, user["email"], "wrong password").status_code == 401
    for _ in range(2):
        assert change_password(client, token, "wrong password").status_code == 403
    assert_too_many(change_password(client, token, "correct horse"))


def test_a_successful_change_gives_its_attempt_back(client, clock, limits):
    limits(PASSWORD_ATTEMPTS_PER_USER=1)
    user, token = register_and_login(client)
    assert change_password(client, token, "correct horse").status_code == 200
    assert login(client, user["email"], "battery staple")


# --- login, per client address -------------------------------------------------------

def test_failed_attempts_from_one_address_are_limited_across_accounts(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ADDRESS=3)
    users = [register(client) for _ in range(3)]
    for user in users:
        assert attempt(client, user["email"], "wrong password").status_code == 401
    assert_too_many(attempt(client, users[0]["email"], "correct horse"), retry_after=15 * 60)
    assert_too_many(attempt(client, "someone-new@example.com", "x"))


def test_successful_logins_do_not_count_against_the_address(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ADDRESS=2)
    users = [register(client) for _ in range(3)]
    for _ in range(4):
        for user in users:
            login(client, user["email"])
    assert attempt(client, users[0]["email"], "wrong password").status_code == 401
    login(client, users[1]["email"])
    assert attempt(client, users[2]["email"], "wrong password").status_code == 401
    assert_too_many(attempt(client, users[1]["email"], "correct horse"))


def test_a_refused_address_does_not_use_up_the_accounts_attempts(client, clock, limits):
    limits(LOGIN_ATTEMPTS_PER_ADDRESS=1, LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS=1)
    first, second = register(client), register(client)
    assert attempt(client, first["email"], "wrong password").status_code == 401
    for _ in range(3):
        assert_too_many(attempt(client, second["email"], "wrong password"))
    clock[0] = START + 15 * 60
    assert login(client, second["email"])


# --- writes per user -----------------------------------------------------------------

def test_writes_are_limited_per_user(client, clock, limits):
    limits(WRITES_PER_USER=3)
    _, token = register_and_login(client)
    post = create_post(client, token)
    assert post_json(client, f"/api/posts/{post['id']}/likes", token=token).status_code == 200
    assert post_json(client, f"/api/posts/{post['id']}/comments", {"content": "hi"}, token).status_code == 201
    clock[0] = START + 45
    response = post_json(client, "/api/posts", {"content": "one too many"}, token)
    assert_too_many(response, retry_after=15)
    assert_too_many(delete(client, f"/api/posts/{post['id']}", token))
    assert_too_many(put_json(client, "/api/users/me", {"bio": "x"}, token))
    # Nothing of the refused writes happened.
    assert get(client, f"/api/users/{post['author_id']}").json_body["post_count"] == 1


def test_reads_are_never_limited(client, clock, limits):
    limits(WRITES_PER_USER=1)
    user, token = register_and_login(client)
    create_post(client, token)
    assert_too_many(post_json(client, "/api/posts", {"content": "x"}, token))
    for path in ["/api/auth/me", "/api/feed", "/api/notifications", "/api/stories", f"/api/users/{user['id']}"]:
        for _ in range(3):
            assert get(client, path, token).status_code == 200, path


def test_another_users_writes_are_unaffected(client, clock, limits):
    limits(WRITES_PER_USER=1)
    _, alice_token = register_and_login(client)
    _, bob_token = register_and_login(client)
    create_post(client, alice_token)
    assert_too_many(post_json(client, "/api/posts", {"content": "x"}, alice_token))
    create_post(client, bob_token)


def test_the_write_window_resets(client, clock, limits):
    limits(WRITES_PER_USER=1)
    _, token = register_and_login(client)
    create_post(client, token)
    clock[0] = START + 59
    assert_too_many(post_json(client, "/api/posts", {"content": "x"}, token), retry_after=1)
    clock[0] = START + 60
    create_post(client, token)


def test_a_bad_token_is_401_before_any_limit(client, clock, limits):
    limits(WRITES_PER_USER=0)
    response = post_json(client, "/api/posts", {"content": "x"}, "not.a.jwt")
    assert response.status_code == 401


def test_the_defaults_are_the_documented_values():
    loaded = config.Settings.load({"STAGE": "local"})
    assert (loaded.login_attempts_per_account_and_address, loaded.login_attempts_per_address,
            loaded.login_attempts_per_account, loaded.login_max_delay_seconds, loaded.login_window_seconds) == (
        10, 1_000, 30, 30, 15 * 60)
    assert loaded.password_attempts_per_user == 10
    assert (loaded.registrations_per_address, loaded.registration_window_seconds) == (10_000, 3600)
    # A deployed stage's clients have addresses of their own.
    deployed = config.Settings.load({"STAGE": "prod", "JWT_SECRET": "s" * 32})
    assert (deployed.login_attempts_per_address, deployed.registrations_per_address) == (50, 20)
    assert (loaded.writes_per_user, loaded.writes_window_seconds) == (120, 60)


# --- the counter itself ------------------------------------------------------------------

def test_many_hits_never_count_past_the_limit(aws, clock):
    outcomes = []
    for _ in range(25):
        try:
            rate_limits.hit("test#race", 10, 60)
            outcomes.append("ok")
        except TooManyRequests:
            outcomes.append("refused")
    assert outcomes.count("ok") == 10
    assert RateLimit.get("test#race", START).count == 10


def test_concurrent_hits_never_exceed_the_limit(serialised_aws, clock):
    from concurrent.futures import ThreadPoolExecutor

    def one(_):
        try:
            rate_limits.hit("test#threads", 5, 60)
            return True
        except TooManyRequests:
            return False

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(40)))
    assert results.count(True) == 5
    assert RateLimit.get("test#threads", START).count == 5


def test_a_hit_is_one_conditional_update_with_a_ttl(aws, clock, dynamodb_calls):
    rate_limits.hit("test#cost", 3, 60)
    assert dynamodb_calls == ["UpdateItem"]
    item = RateLimit.get("test#cost", START)
    assert item.count == 1
    assert item.expires_at.timestamp() > START + 60


def test_a_refund_never_goes_below_zero_nor_creates_a_counter(aws, clock):
    window = rate_limits.hit("test#refund", 3, 60)
    rate_limits.refund("test#refund", window)
    rate_limits.refund("test#refund", window)
    assert RateLimit.get("test#refund", START).count == 0
    rate_limits.refund("test#nothing", window)
    with pytest.raises(RateLimit.DoesNotExist):
        RateLimit.get("test#nothing", window)


def test_buckets_for_client_values_are_bounded():
    assert len(rate_limits.bucket_for("login-account", "a" * 100_000)) < 100
    assert rate_limits.bucket_for("login-account", "\ud800") != rate_limits.bucket_for("login-account", "x")
