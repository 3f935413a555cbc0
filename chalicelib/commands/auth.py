from __future__ import annotations

from chalicelib import events, rate_limits, security
from chalicelib.clock import now_iso
from chalicelib.commands.users import update_user
from chalicelib.config import settings
from chalicelib.errors import Conflict, Forbidden, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import UniqueKey, User
from chalicelib.writes import Writes, command

# DynamoDB's limit for a partition key.
MAX_KEY_BYTES = 2048

WRONG_PASSWORD = "Current password is incorrect"


def register(username: str, email: str, password: str, full_name: str | None) -> User:
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
        events.UserPasswordChanged(user_id=user.user_id),
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
