"""Password hashing (bcrypt) and access tokens (JWT, HS256)."""
from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from functools import lru_cache

import bcrypt
import jwt

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.errors import Unauthorized
from chalicelib.ids import MAX_ID

ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(rounds=settings().bcrypt_rounds)
    return bcrypt.hashpw(password.encode(), salt).decode()


def verify_password(password: str, password_hash: str) -> bool:
    try:
        candidate = password.encode()
    except UnicodeEncodeError:  # a lone surrogate from a JSON escape
        return False
    # bcrypt only looks at 72 bytes; longer inputs raise in bcrypt >= 5.
    if len(candidate) > 72:
        return False
    if not password_hash.startswith("$2"):  # not a bcrypt hash (a deleted account's): nothing matches
        return False
    return bcrypt.checkpw(candidate, password_hash.encode())


# Spent on logins for unknown emails, so that they take as long as a wrong
# password and do not reveal which emails are registered.
_DUMMY_HASH: dict[int, str] = {}


def burn_password_check(password: str) -> None:
    rounds = settings().bcrypt_rounds
    if rounds not in _DUMMY_HASH:
        _DUMMY_HASH[rounds] = hash_password("not-a-real-password")
    verify_password(password, _DUMMY_HASH[rounds])


@lru_cache(maxsize=1)
def signing_secret() -> str:
    """The one secret that the keys of tokens and cursors derive from. Read from SSM once per
    process, at the first request of a cold start, never at import."""
    config = settings()
    if config.jwt_secret:
        return config.jwt_secret
    parameter = aws.client("ssm").get_parameter(Name=config.jwt_secret_parameter, WithDecryption=True)
    return parameter["Parameter"]["Value"]


def token_key() -> bytes:
    """What signs access tokens: derived from the one secret, apart from the
    cursors' key, so that one use's signatures can never pass for the other's."""
    return _derived_key("access-token")


def account_token_key() -> bytes:
    """What the mailed tokens (verification, reset) are made with
    (chalicelib/consumers/mail.py)."""
    return _derived_key("account-token")


def cursor_key() -> bytes:
    """What signs paging cursors (chalicelib/queries/paging.py)."""
    return _derived_key("cursor")


def _derived_key(purpose: str) -> bytes:
    return hmac.new(signing_secret().encode(), f"instagram/{purpose}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    password_version: int


def create_access_token(user_id: int, password_version: int) -> str:
    now = int(time.time())
    claims = {
        "sub": str(user_id),
        "password_version": password_version,
        "iat": now,
        "exp": now + settings().jwt_ttl_seconds,
    }
    return jwt.encode(claims, token_key(), algorithm=ALGORITHM)


def read_access_token(token: str) -> TokenClaims:
    """The claims of a token this API signed and that has not expired. Whether
    its password_version is still the user's is for the caller to check."""
    try:
        claims = jwt.decode(
            token,
            token_key(),
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub", "password_version"]},
        )
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("Could not validate credentials") from exc
    subject, version = claims["sub"], claims["password_version"]
    # Only ids we could have issued: positive, JS-safe integers.
    if not (isinstance(subject, str) and subject.isascii() and subject.isdigit()
            and 0 < int(subject) <= MAX_ID):
        raise Unauthorized("Could not validate credentials")
    if type(version) is not int or version < 0:
        raise Unauthorized("Could not validate credentials")
    return TokenClaims(int(subject), version)
