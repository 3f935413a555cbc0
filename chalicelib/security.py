"""Password hashing (bcrypt) and access tokens (JWT, HS256)."""
from __future__ import annotations

import time

import bcrypt
import jwt

from chalicelib.config import settings
from chalicelib.errors import Unauthorized

ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(rounds=settings().bcrypt_rounds)
    return bcrypt.hashpw(password.encode(), salt).decode()


def verify_password(password: str, password_hash: str) -> bool:
    # bcrypt only looks at 72 bytes; longer inputs raise in bcrypt >= 5.
    candidate = password.encode()
    if len(candidate) > 72:
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


def create_access_token(user_id: int) -> str:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + settings().jwt_ttl_seconds}
    return jwt.encode(claims, settings().jwt_secret, algorithm=ALGORITHM)


def user_id_from_token(token: str) -> int:
    try:
        claims = jwt.decode(
            token,
            settings().jwt_secret,
            algorithms=[ALGORITHM],
            options={"require": ["exp", "sub"]},
        )
        return int(claims["sub"])
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("Could not validate credentials") from exc
