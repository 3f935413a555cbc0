from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import events, rate_limits, security
from chalicelib.clock import now_iso
from chalicelib.commands.users import update_user
from chalicelib.config import settings
from chalicelib.errors import Conflict, Forbidden, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import UniqueKey, User
from chalicelib.models.base import CONDITION_FAILED, TRANSACTION_CONFLICT, cancellation_codes
from chalicelib.outbox import transaction_with

# DynamoDB's limit for a partition key.
MAX_KEY_BYTES = 2048

# An id collision between processes, or a transaction racing another on the
# same keys, is retried; a real duplicate then fails its condition for good.
_ATTEMPTS = 4

WRONG_PASSWORD = "Current password is incorrect"


def register(username: str, email: str, password: str, full_name: str | None) -> User:
    email = email.lower()
    password_hash = security.hash_password(password)
    for _ in range(_ATTEMPTS):
        user = User(
            user_id=new_id(),
            username=username,
            email=email,
            password_hash=password_hash,
            full_name=full_name,
            created_at=now_iso(),
        )
        registered = events.Event(events.USER_REGISTERED, {"user_id": user.user_id})
        try:
            with transaction_with(registered) as writes:
                writes.save(user, condition=User.user_id.does_not_exist())
                writes.save(
                    UniqueKey(key=UniqueKey.for_email(email), user_id=user.user_id),
                    condition=UniqueKey.key.does_not_exist(),
                )
                writes.save(
                    UniqueKey(key=UniqueKey.for_username(username), user_id=user.user_id),
                    condition=UniqueKey.key.does_not_exist(),
                )
        except TransactWriteError as error:
            codes = cancellation_codes(error, 3)
            user_clash, email_clash, username_clash = codes
            if email_clash == CONDITION_FAILED:
                raise Conflict("Email already registered") from error
            if username_clash == CONDITION_FAILED:
                raise Conflict("Username already taken") from error
            if user_clash == CONDITION_FAILED or TRANSACTION_CONFLICT in codes:
                continue
            raise
        return user
    raise Conflict("Could not register right now, please retry")


def login(email: str, password: str, client_address: str) -> str:
    """An access token for these credentials, or Unauthorized. Unknown email
    and wrong password are indistinguishable, in the answer and in time.

    Rate limited (TooManyRequests) per client address and per account, both
    counting failed attempts only: an attempt takes a slot in each before the
    password is checked, so concurrent guesses cannot exceed either limit (and
    while a limit holds even the right password is refused), and a success
    gives both slots back. Counting successes per address would refuse a
    test suite, a seeding script or an office behind one NAT after its 50th
    login, and stop no guessing."""
    config = settings()
    slots = [
        (bucket, rate_limits.hit(bucket, limit, config.login_window_seconds))
        for bucket, limit in (
            (rate_limits.bucket_for("login-ip", client_address), config.login_attempts_per_address),
            (_account_bucket(email), config.login_attempts_per_account),
        )
    ]
    token = _check_credentials(email, password)
    for bucket, window in slots:
        rate_limits.refund(bucket, window)
    return token


def change_password(user: User, current_password: str, new_password: str) -> str:
    """Sets a new password and returns a token for it; every token issued
    before stops working. Wrong current passwords count against the same
    per-account limit as failed logins, so a stolen token cannot be used to
    guess the password faster than the login form can."""
    config = settings()
    account = _account_bucket(user.email)
    window = rate_limits.hit(account, config.login_attempts_per_account, config.login_window_seconds)
    if not security.verify_password(current_password, user.password_hash):
        raise Forbidden(WRONG_PASSWORD)
    new_version = user.password_version + 1
    update_user(
        user.user_id,
        [User.password_hash.set(security.hash_password(new_password)), User.password_version.set(new_version)],
        # Every change writes a new salted hash: an unchanged hash means that
        # the password just checked, and so the version read with it, are current.
        User.password_hash == user.password_hash,
        events.Event(events.USER_PASSWORD_CHANGED, {"user_id": user.user_id}),
    )
    rate_limits.refund(account, window)
    return security.create_access_token(user.user_id, new_version)


def _account_bucket(email: str) -> str:
    return rate_limits.bucket_for("login-account", email.strip().lower())


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
