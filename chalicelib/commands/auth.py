from __future__ import annotations

import json
from typing import Callable

from chalicelib import events, rate_limits, security
from chalicelib.clock import now_iso
from chalicelib.commands.users import update_user
from chalicelib.config import settings
from chalicelib.errors import Conflict, Forbidden, TooManyRequests, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import UniqueKey, User
from chalicelib.writes import Writes, command

# DynamoDB's limit for a partition key.
MAX_KEY_BYTES = 2048

WRONG_PASSWORD = "Current password is incorrect"


def register(username: str, email: str, password: str, full_name: str | None, client_address: str) -> User:
    """Rate limited per client address (REGISTRATIONS_PER_ADDRESS per
    REGISTRATION_WINDOW_SECONDS), counted before the slow hash and whatever
    the outcome: it bounds both the bcrypt work one address can cause and
    its probing of which emails are registered."""
    config = settings()
    rate_limits.hit(rate_limits.bucket_for("register-ip", client_address), config.registrations_per_address,
                    config.registration_window_seconds)
    # Hashed once, outside the retried part: it is the slow step.
    return _register(username, email.lower(), security.hash_password(password), full_name)


@command("register")
def _register(writes: Writes, username: str, email: str, password_hash: str, full_name: str | None) -> User:
    user = User(
        user_id=new_id(),
        username=username,
        email=email,
        password_hash=password_hash,
        full_name=full_name,
        notifications_read_up_to=0,
        created_at=now_iso(),
    )
    writes.put(UniqueKey(key=UniqueKey.for_email(email), user_id=user.user_id),
               condition=UniqueKey.key.does_not_exist(), otherwise=Conflict("Email already registered"))
    writes.put(UniqueKey(key=UniqueKey.for_username(username), user_id=user.user_id),
               condition=UniqueKey.key.does_not_exist(), otherwise=Conflict("Username already taken"))
    writes.put(user, condition=User.user_id.does_not_exist())
    writes.publish(events.UserRegistered(user_id=user.user_id))
    return user


def login(email: str, password: str, client_address: str) -> str:
    """An access token for these credentials, or Unauthorized. Unknown email
    and wrong password are indistinguishable, in the answer and in time.

    Failed attempts are rate limited as OWASP advises, so that guessing is
    slow without handing strangers a way to lock the owner out:
    - the account from this address, tightly (a hard limit per window): the
      only bucket that locks, and only the address that filled it;
    - this address across accounts (a hard limit): one address trying many;
    - the account from everywhere, loosely: past its free attempts each next
      one waits a growing delay (rate_limits.pace), which slows many
      addresses guessing one password yet at worst delays its owner.
    An attempt takes a slot in each before the password is checked, so
    concurrent guesses cannot exceed the hard limits; a refused attempt gives
    back what it took, and a success gives back all. Counting successes would
    refuse a test suite, a seeding script or an office behind one NAT after
    its 50th login, and stop no guessing."""
    config = settings()
    account = _account(email)
    window_seconds = config.login_window_seconds
    slots: list[tuple[str, int]] = []
    try:
        for bucket, limit in (
            (rate_limits.bucket_for("login-ip", client_address), config.login_attempts_per_address),
            (rate_limits.bucket_for("login-pair", json.dumps([account, client_address])),
             config.login_attempts_per_account_and_address),
        ):
            slots.append((bucket, rate_limits.hit(bucket, limit, window_seconds)))
        bucket = rate_limits.bucket_for("login-account", account)
        slots.append((bucket, rate_limits.pace(bucket, config.login_attempts_per_account, window_seconds,
                                               config.login_max_delay_seconds)))
    except TooManyRequests:
        _give_back(slots)
        raise
    token = _check_credentials(email, password)
    _give_back(slots)
    return token


def change_password(user: User, current_password: str, new_password: str) -> str:
    """Sets a new password and returns a token for it; every token issued
    before stops working. Wrong current passwords count as check_password
    says."""
    give_back = check_password(user, current_password, WRONG_PASSWORD)
    new_version = user.password_version + 1
    update_user(
        user.user_id,
        [User.password_hash.set(security.hash_password(new_password)), User.password_version.set(new_version)],
        # Every change writes a new salted hash: an unchanged hash means that
        # the password just checked, and so the version read with it, are current.
        User.password_hash == user.password_hash,
        events.UserPasswordChanged(user_id=user.user_id),
    )
    give_back()
    return security.create_access_token(user.user_id, new_version)


def check_password(user: User, password: str, wrong: str) -> Callable[[], None]:
    """Forbidden(wrong) unless password is the signed-in user's own; what
    gives the attempt back once the change it guards is made. Wrong
    passwords are limited per user (PASSWORD_ATTEMPTS_PER_USER per login
    window, one bucket for every route that asks for the password again),
    so a stolen token cannot be used to guess the password faster than the
    login form allows; the bucket is the owner's own, which no failed login
    fills."""
    config = settings()
    bucket = f"password#{user.user_id}"
    window = rate_limits.hit(bucket, config.password_attempts_per_user, config.login_window_seconds)
    if not security.verify_password(password, user.password_hash):
        raise Forbidden(wrong)
    return lambda: rate_limits.refund(bucket, window)


def _give_back(slots: list[tuple[str, int]]) -> None:
    for bucket, window in slots:
        rate_limits.refund(bucket, window)


def _account(email: str) -> str:
    return email.strip().lower()


def _check_credentials(email: str, password: str) -> str:
    key = UniqueKey.for_email(email)
    if not _usable_key(key):
        # No such email can exist, and DynamoDB would refuse the key.
        security.burn_password_check(password)
        raise Unauthorized("Invalid credentials")
    try:
        claim = UniqueKey.get(key)
        # Consistent: a password changed a moment ago must already count.
        user = User.get(claim.user_id, consistent_read=True)
    except (UniqueKey.DoesNotExist, User.DoesNotExist):
        security.burn_password_check(password)
        raise Unauthorized("Invalid credentials")
    if not security.verify_password(password, user.password_hash):
        raise Unauthorized("Invalid credentials")
    return security.create_access_token(user.user_id, user.password_version)


def _usable_key(key: str) -> bool:
    try:
        return len(key.encode()) <= MAX_KEY_BYTES
    except UnicodeEncodeError:  # a lone surrogate, from a JSON escape like \ud800
        return False
