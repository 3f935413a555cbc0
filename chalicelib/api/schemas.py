"""Request and response shapes (CONTRACT.md), as routes declare them
(chalicelib/api/http.py): requests are validated with these models, and
every response body is the view's result validated and serialised by its
model."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from chalicelib.models import User
from chalicelib.queries.paging import PageRequest

# Deeper pages take the cursor: an offset costs a Query of offset + limit items.
MAX_OFFSET = 1_000
MAX_ID = 2**53 - 1  # ids stay exact in JavaScript
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # renditions.MAX_BYTES, which the API does not import (Pillow)


def _password_bytes(value: str) -> str:
    # bcrypt only reads 72 bytes: refuse longer rather than truncate silently.
    if not 8 <= len(value.encode()) <= 72:
        raise ValueError("must be 8 to 72 bytes long")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Username = Annotated[str, StringConstraints(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9._]+$")]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Password = Annotated[str, AfterValidator(_password_bytes)]
Url = Annotated[str, StringConstraints(max_length=500, pattern=r"^https?://\S+$")]
Text = Annotated[str, StringConstraints(max_length=2200)]
NonBlankText = Annotated[str, StringConstraints(max_length=2200), AfterValidator(_not_blank)]


class RegisterRequest(BaseModel):
    username: Username
    email: Email
    password: Password
    full_name: Optional[Annotated[str, StringConstraints(max_length=100)]] = None


class LoginRequest(BaseModel):
    # No length rules: a wrong password is a 401, never a 422.
    email: str
    password: str


class VerifyEmailRequest(BaseModel):
    token: str


class PasswordResetRequest(BaseModel):
    email: Email


class PasswordResetConfirmRequest(BaseModel):
    token: str
    new_password: Password


class ChangePasswordRequest(BaseModel):
    # No length rules on the current password: a wrong one is a 403, never a 422.
    current_password: str
    new_password: Password


class DeleteAccountRequest(BaseModel):
    # No length rules: a wrong password is a 403, never a 422.
    password: str


class UpdateProfileRequest(BaseModel):
    """An omitted or null field stays as it was."""

    full_name: Optional[Annotated[str, StringConstraints(max_length=100)]] = None
    bio: Optional[Annotated[str, StringConstraints(max_length=150)]] = None
    profile_image_url: Optional[Url] = None
    profile_media_id: Optional[Id] = Field(
        default=None, description="A ready, unused media of mine: profile_image_url becomes its thumbnail_url.")
    is_private: Optional[StrictBool] = None

    @model_validator(mode="after")
    def _one_photo(self):
        if self.profile_image_url is not None and self.profile_media_id is not None:
            raise ValueError("profile_image_url and profile_media_id: give one of them")
        return self


class _SomethingToShow(BaseModel):
    content: Optional[Text] = None
    image_url: Optional[Url] = None

    def _media(self):
        raise NotImplementedError

    @model_validator(mode="after")
    def _one_of_them(self):
        if not (self.content or "").strip() and not self.image_url and not self._media():
            *others, last = type(self).model_fields
            raise ValueError(f"{', '.join(others)} or {last}: at least one of them must be non-empty")
        return self


class CreatePostRequest(_SomethingToShow):
    media_ids: Optional[Annotated[list[Id], Field(min_length=1, max_length=10)]] = Field(
        default=None, description="Ready, unused media of mine, shown in this order.")

    def _media(self):
        return self.media_ids


class CreateStoryRequest(_SomethingToShow):
    media_id: Optional[Id] = Field(default=None, description="A ready, unused media of mine.")

    def _media(self):
        return self.media_id


class CreateMediaRequest(BaseModel):
    content_type: Literal["image/jpeg", "image/png", "image/webp"]
    size_bytes: int = Field(ge=1, le=MAX_UPLOAD_BYTES, description="The file's exact size; the form allows no more.")


class CreateCommentRequest(BaseModel):
    content: NonBlankText
    parent_id: Optional[Id] = Field(default=None, description="A comment of the same post: this is a reply to it.")


class SendMessageRequest(BaseModel):
    receiver_id: Id
    content: Annotated[str, StringConstraints(max_length=1000), AfterValidator(_not_blank)]


class PageQuery(BaseModel):
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=MAX_OFFSET)
    cursor: Optional[str] = Field(
        default=None, max_length=2048,
        description="Opaque: the X-Next-Cursor of the previous page of the same list; anything else is a 422.",
    )

    def page(self) -> PageRequest:
        return PageRequest(self.limit, self.offset, self.cursor)


class LongPageQuery(PageQuery):
    """Comments, messages and notifications come 50 to a page by default."""

    limit: int = Field(default=50, ge=1, le=100)


class SearchQuery(PageQuery):
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


# --- responses -----------------------------------------------------------------
# A view returns a stored item (read through from_attributes, ids through
# their validation_alias) or a dict; the route validates it with the model
# it declares and sends model_dump(mode="json"). The OpenAPI document
# (chalicelib/api/openapi.py) is made from the same models, so what is
# documented and what is sent cannot drift apart.

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0)]
# Stored as ISO 8601 text with an explicit offset; sent exactly as stored.
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class UserResponse(ResponseModel):
    id: Id = Field(validation_alias="user_id")
    username: str
    email: Optional[str] = Field(description="Shown to its owner only; null for everyone else.")
    full_name: Optional[str]
    bio: Optional[str]
    profile_image_url: Optional[str]
    is_active: bool
    is_private: bool
    created_at: Timestamp
    email_verified: Optional[bool] = Field(None, description="Shown to its owner only; null for everyone else.")

    @field_validator("email", "email_verified")
    @classmethod
    def _shown_to_its_owner_only(cls, value, info: ValidationInfo):
        # id is declared before both, so it is already in info.data.
        return value if (info.context or {}).get("viewer_id") == info.data.get("id") else None

    @classmethod
    def for_its_owner(cls, user: User) -> UserResponse:
        """The user as that user sees it: with the email."""
        return cls.model_validate(user, context={"viewer_id": user.user_id})


class UserProfileResponse(ResponseModel):
    id: Id = Field(validation_alias="user_id")
    username: str
    full_name: Optional[str]
    bio: Optional[str]
    profile_image_url: Optional[str]
    is_private: bool
    post_count: Count
    follower_count: Count
    following_count: Count


class MediaItem(ResponseModel):
    id: Id = Field(validation_alias="media_id")
    url: str
    thumbnail_url: str
    width: int
    height: int


class UploadForm(ResponseModel):
    url: str = Field(description="POST a multipart/form-data form here: every field below, then the file as `file`.")
    fields: dict[str, str]
    expires_at: Timestamp


class MediaResponse(ResponseModel):
    id: Id = Field(validation_alias="media_id")
    status: Literal["pending", "ready", "rejected"]
    reason: Optional[str] = Field(description="Why it was rejected; else null.")
    width: Optional[int]
    height: Optional[int]
    url: Optional[str] = Field(description="At most 1080 pixels on its longer side; null until ready.")
    thumbnail_url: Optional[str] = Field(description="At most 320 pixels on its longer side; null until ready.")
    created_at: Timestamp


class NewMediaResponse(MediaResponse):
    upload: UploadForm


class PostResponse(ResponseModel):
    id: Id = Field(validation_alias="post_id")
    author_id: Id
    author_username: str
    content: Optional[str]
    image_url: Optional[str]
    media: list[MediaItem] = Field(description="Its photos, in order; empty for a post without media.")
    like_count: Count
    comment_count: Count
    created_at: Timestamp
    liked_by_me: bool = Field(description="Whether the caller likes it; false without a token.")
    saved_by_me: bool = Field(description="Whether the caller has saved it; false without a token.")


class CommentResponse(ResponseModel):
    id: Id = Field(validation_alias="comment_id")
    post_id: Id = Field(validation_alias="on_post")
    parent_id: Optional[Id] = Field(description="The top-level comment it replies to; null at top level.")
    reply_count: Count
    author_id: Id
    author_username: str
    content: str
    created_at: Timestamp


class StoryResponse(ResponseModel):
    id: Id = Field(validation_alias="story_id")
    author_id: Id
    author_username: str
    image_url: Optional[str]
    media: Optional[MediaItem]
    content: Optional[str]
    created_at: Timestamp


class MessageResponse(ResponseModel):
    id: Id = Field(validation_alias="message_id")
    sender_id: Id
    receiver_id: Id
    content: str
    is_read: bool
    created_at: Timestamp


class ConversationResponse(ResponseModel):
    other_user_id: Id
    other_user_deleted: bool = Field(description="The other account was deleted: show it as a deleted account "
                                                 "(its messages stay; its profile is 404, messaging it too).")
    last_message: MessageResponse


class NotificationResponse(ResponseModel):
    id: Id = Field(validation_alias="notification_id")
    user_id: Id
    actor_id: Id
    type: Literal["like", "comment", "follow", "mention", "reply", "follow_request", "follow_accepted"]
    reference_id: Id
    message: str
    is_read: bool
    created_at: Timestamp


def with_is_read(item, is_read: bool) -> dict:
    """A message (or a conversation's last message) or a notification, with
    whether it is read: the query's answer from a read watermark, not the
    stored item's. (attribute_values omits None values; none of these
    attributes is nullable.)"""
    return {**item.attribute_values, "is_read": is_read}


class HashtagResponse(ResponseModel):
    id: Id = Field(validation_alias="hashtag_id")
    name: str


class TokenResponse(ResponseModel):
    access_token: str
    token_type: Literal["bearer"]

    @classmethod
    def bearer(cls, token: str) -> TokenResponse:
        return cls(access_token=token, token_type="bearer")


class LikeToggleResponse(ResponseModel):
    liked: bool
    like_count: Count


class SaveResponse(ResponseModel):
    saved: bool


class FollowResponse(ResponseModel):
    following: bool
    requested: bool


class BlockResponse(ResponseModel):
    blocked: bool


class ExportResponse(ResponseModel):
    status: Literal["pending", "ready", "failed"]
    requested_at: Timestamp
    url: Optional[str] = Field(description="The ZIP archive, without credentials, until expires_at; null until ready.")
    expires_at: Optional[Timestamp]


class StatusResponse(ResponseModel):
    status: Literal["ok"]


class RealtimeResponse(ResponseModel):
    url: str = Field(description="The WebSocket URL (ws:// or wss://); connect with ?token=<access token>.")


class ErrorResponse(BaseModel):
    detail: str = Field(description="A message a person can act on; for 422, it names the field(s).")
