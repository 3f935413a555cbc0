"""Request and response shapes (CONTRACT.md). Requests are validated with
pydantic; responses are built from the models by the *_response functions."""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema, model_validator

from chalicelib.models import Comment, Notification, Post, Story, User
from chalicelib.queries.paging import PageRequest

MAX_OFFSET = 10_000
MAX_ID = 2**53 - 1  # ids stay exact in JavaScript


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


class ChangePasswordRequest(BaseModel):
    # No length rules on the current password: a wrong one is a 403, never a 422.
    current_password: str
    new_password: Password


class UpdateProfileRequest(BaseModel):
    """An omitted or null field stays as it was."""

    full_name: Optional[Annotated[str, StringConstraints(max_length=100)]] = None
    bio: Optional[Annotated[str, StringConstraints(max_length=150)]] = None
    profile_image_url: Optional[Url] = None


class _ContentOrImage(BaseModel):
    content: Optional[Text] = None
    image_url: Optional[Url] = None

    @model_validator(mode="after")
    def _one_of_them(self):
        if not (self.content or "").strip() and not self.image_url:
            raise ValueError("content or image_url: at least one of them must be non-empty")
        return self


class CreatePostRequest(_ContentOrImage):
    pass


class CreateStoryRequest(_ContentOrImage):
    pass


class CreateCommentRequest(BaseModel):
    content: NonBlankText


class SendMessageRequest(BaseModel):
    receiver_id: int = Field(gt=0)
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
# The *_response functions build every body through these models, and the
# OpenAPI document (chalicelib/api/openapi.py) is made from the same models,
# so what is documented and what is sent cannot drift apart.

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0)]
# Stored as ISO 8601 text with an explicit offset; sent exactly as stored.
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]


class UserResponse(BaseModel):
    id: Id
    username: str
    email: Optional[str] = Field(description="Shown to its owner only; null for everyone else.")
    full_name: Optional[str]
    bio: Optional[str]
    profile_image_url: Optional[str]
    is_active: bool
    created_at: Timestamp


class UserProfileResponse(BaseModel):
    id: Id
    username: str
    full_name: Optional[str]
    bio: Optional[str]
    profile_image_url: Optional[str]
    post_count: Count
    follower_count: Count
    following_count: Count


class PostResponse(BaseModel):
    id: Id
    author_id: Id
    author_username: str
    content: Optional[str]
    image_url: Optional[str]
    like_count: Count
    comment_count: Count
    created_at: Timestamp


class CommentResponse(BaseModel):
    id: Id
    post_id: Id
    author_id: Id
    author_username: str
    content: str
    created_at: Timestamp


class StoryResponse(BaseModel):
    id: Id
    author_id: Id
    author_username: str
    image_url: Optional[str]
    content: Optional[str]
    created_at: Timestamp


class MessageResponse(BaseModel):
    id: Id
    sender_id: Id
    receiver_id: Id
    content: str
    is_read: bool
    created_at: Timestamp


class ConversationResponse(BaseModel):
    other_user_id: Id
    last_message: MessageResponse


class NotificationResponse(BaseModel):
    id: Id
    user_id: Id
    actor_id: Id
    type: Literal["like", "comment", "follow"]
    reference_id: Id
    message: str
    is_read: bool
    created_at: Timestamp


class HashtagResponse(BaseModel):
    id: Id
    name: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"]


class LikeToggleResponse(BaseModel):
    liked: bool
    like_count: Count


class FollowResponse(BaseModel):
    following: bool


class StatusResponse(BaseModel):
    status: Literal["ok"]


class ErrorResponse(BaseModel):
    detail: str = Field(description="A message a person can act on; for 422, it names the field(s).")


def _dump(model: BaseModel) -> dict:
    return model.model_dump(mode="json")


def token_response(token: str) -> dict:
    return {"access_token": token, "token_type": "bearer"}


def user_response(user: User, viewer_id: int | None = None) -> dict:
    return _dump(UserResponse(
        id=user.user_id,
        username=user.username,
        # Privacy: only the owner ever sees an email.
        email=user.email if viewer_id == user.user_id else None,
        full_name=user.full_name,
        bio=user.bio,
        profile_image_url=user.profile_image_url,
        is_active=user.is_active,
        created_at=user.created_at,
    ))


def profile_response(user: User) -> dict:
    return _dump(UserProfileResponse(
        id=user.user_id,
        username=user.username,
        full_name=user.full_name,
        bio=user.bio,
        profile_image_url=user.profile_image_url,
        post_count=user.post_count,
        follower_count=user.follower_count,
        following_count=user.following_count,
    ))


def post_response(post: Post) -> dict:
    return _dump(PostResponse(
        id=post.post_id,
        author_id=post.author_id,
        author_username=post.author_username,
        content=post.content,
        image_url=post.image_url,
        like_count=post.like_count,
        comment_count=post.comment_count,
        created_at=post.created_at,
    ))


def comment_response(comment: Comment) -> dict:
    return _dump(CommentResponse(
        id=comment.comment_id,
        post_id=comment.post_id,
        author_id=comment.author_id,
        author_username=comment.author_username,
        content=comment.content,
        created_at=comment.created_at,
    ))


def story_response(story: Story) -> dict:
    return _dump(StoryResponse(
        id=story.story_id,
        author_id=story.author_id,
        author_username=story.author_username,
        image_url=story.image_url,
        content=story.content,
        created_at=story.created_at,
    ))


def _message(message, is_read: bool) -> MessageResponse:
    return MessageResponse(
        id=message.message_id,
        sender_id=message.sender_id,
        receiver_id=message.receiver_id,
        content=message.content,
        is_read=is_read,
        created_at=message.created_at,
    )


def message_response(message, is_read: bool) -> dict:
    """message: a Message, or the LastMessage of a Conversation."""
    return _dump(_message(message, is_read))


def conversation_response(conversation, is_read: bool) -> dict:
    """conversation: a Conversation; is_read: whether its last message is read."""
    return _dump(ConversationResponse(
        other_user_id=conversation.other_user_id,
        last_message=_message(conversation.last_message, is_read),
    ))


def notification_response(notification: Notification, is_read: bool) -> dict:
    return _dump(NotificationResponse(
        id=notification.notification_id,
        user_id=notification.user_id,
        actor_id=notification.actor_id,
        type=notification.type,
        reference_id=notification.reference_id,
        message=notification.message,
        is_read=is_read,
        created_at=notification.created_at,
    ))


def hashtag_response(hashtag_id: int, name: str) -> dict:
    return _dump(HashtagResponse(id=hashtag_id, name=name))
