from __future__ import annotations

from chalicelib.errors import NotFound, Unauthorized
from chalicelib.models import User


def get_user(user_id: int) -> User:
    try:
        return User.get(user_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None


def get_current_user(user_id: int) -> User:
    """The user a valid token names; a token for a user that no longer
    exists is as good as no token."""
    try:
        return User.get(user_id)
    except User.DoesNotExist:
        raise Unauthorized("Could not validate credentials") from None
