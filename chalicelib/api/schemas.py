"""Request and response shapes (CONTRACT.md), validated with pydantic."""
from __future__ import annotations

from typing import Annotated, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from chalicelib.models import User

MAX_OFFSET = 10_000


def _password_bytes(value: str) -> str:
    # bcrypt only reads 72 bytes: refuse longer rather than truncate silently.
    if not 8 <= len(value.encode()) <= 72:
        raise ValueError("must be 8 to 72 bytes long")
    return value


Username = Annotated[
    str, StringConstraints(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._]+$")
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Password = Annotated[str, AfterValidator(_password_bytes)]


class Request(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=False)


class RegisterRequest(Request):
    username: Username
    email: Email
    password: Password
    full_name: Optional[Annotated[str, StringConstraints(max_length=100)]] = None


class LoginRequest(Request):
    # No length rules: a wrong password is a 401, never a 422.
    email: str
    password: str


class PageQuery(Request):
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    cursor: Optional[str] = Field(default=None, max_length=2048)


class SearchQuery(PageQuery):
    q: str = Field(min_length=1, max_length=100)


def user_response(user: User, viewer_id: int | None = None) -> dict:
    return {
        "id": user.user_id,
        "username": user.username,
        # Privacy: only the owner ever sees an email.
        "email": user.email if viewer_id == user.user_id else None,
        "full_name": user.full_name,
        "bio": user.bio,
        "profile_image_url": user.profile_image_url,
        "is_active": user.is_active,
        "created_at": user.created_at,
    }
