"""Domain events: one small payload class per event type, and the envelope
every write publishes.

On the wire an event is `{"type", "data", "version", "event_id",
"occurred_at", "correlation_id"}`; `data` is the payload's fields, and
`version` the version of its type's fields that the publisher wrote. A
command builds the payload; batch processing parses the envelope once,
checking every field's type, and consumers receive the typed payload as
`event.payload`. `correlation_id` is the API request's id (or the id of the
event whose handling published this one), so that one request can be
followed through every consumer's logs.
"""
from __future__ import annotations

import json
import typing
import uuid
from contextvars import ContextVar
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any, ClassVar, Generic, Optional, Protocol, TypeVar

from chalicelib.clock import now_iso


class Payload:
    """The data of one event type. Subclasses are frozen dataclasses of
    ints, str and lists of int or str, with their wire name in `type`. A
    field added to a type later has a default, so that its events published
    before the change (still in a queue) parse too; a change that old
    consumers could not read raises the type's `version`, which a consumer
    that does not know it refuses (UnknownVersion).

    `carrying` declares what the event can carry that some consumers need
    and most events lack: for each of CARRIED, the fields that carry it."""

    type: ClassVar[str]
    version: ClassVar[int] = 1
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {}

    @classmethod
    def from_data(cls, data: dict) -> "Payload":
        """The payload of a received event; ValueError when a field is
        missing or of the wrong type (extra fields are ignored)."""
        if not isinstance(data, dict):
            raise ValueError(f"{cls.type}: data must be an object")
        hints = typing.get_type_hints(cls)
        values = {}
        for item in fields(cls):
            if item.name not in data:
                if item.default is not MISSING or item.default_factory is not MISSING:
                    continue
                raise ValueError(f"{cls.type}: {item.name} is missing")
            values[item.name] = _checked(cls.type, item.name, data[item.name], hints[item.name])
        return cls(**values)

    def carries(self) -> list[str]:
        """What this event carries of what its type declares it can
        (`carrying`): a message attribute that subscriptions filter on, so
        that the consumers needing it are not invoked for nothing
        (chalicelib/consumers/batch.py: OnlyCarrying)."""
        return sorted(carried for carried, names in self.carrying.items()
                      if any(getattr(self, name) for name in names))


# What Payload.carrying can name.
CARRIED = frozenset({"hashtags", "media", "mentions"})


class UnknownVersion(ValueError):
    """An event of a version of its type this code does not know: refused
    whole rather than half-parsed."""


def _checked(type_name: str, name: str, value: Any, hint) -> Any:
    if hint is int and _is_int(value):
        return value
    if hint is str and isinstance(value, str):
        return value
    if hint is bool and isinstance(value, bool):
        return value
    if hint == list[str] and isinstance(value, list) and all(isinstance(part, str) for part in value):
        return value
    if hint == list[int] and isinstance(value, list) and all(_is_int(part) for part in value):
        return value
    raise ValueError(f"{type_name}: {name} must be {hint}, not {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class UserRegistered(Payload):
    type: ClassVar[str] = "user.registered"
    user_id: int


@dataclass(frozen=True)
class UserUpdated(Payload):
    type: ClassVar[str] = "user.updated"
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {"media": ("media_ids", "released_media_ids")}
    user_id: int
    media_ids: list[int] = field(default_factory=list)  # the profile photo it took, if any
    released_media_ids: list[int] = field(default_factory=list)  # the one that photo replaced
    # Ours: is_private was set to another value (the hashtags consumer recounts the account's posts).
    privacy_changed: bool = False


@dataclass(frozen=True)
class UserPasswordChanged(Payload):
    """Ours, not in the contract's list."""

    type: ClassVar[str] = "user.password_changed"
    user_id: int


@dataclass(frozen=True)
class UserDeleted(Payload):
    """The account was deleted (DELETE /api/users/me): its user item is
    already a tombstone and its username and email are free. Consumers
    erase what it owns or left in others' data, chunk by chunk.
    media_ids: its profile photo, if it had one (the tombstone no longer
    names it)."""

    type: ClassVar[str] = "user.deleted"
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {"media": ("media_ids",)}
    user_id: int
    username: str
    media_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class EmailVerificationRequested(Payload):
    """Ours: the user asked for the verification mail again (register's own
    mail follows user.registered)."""

    type: ClassVar[str] = "user.email_verification_requested"
    user_id: int


@dataclass(frozen=True)
class EmailVerified(Payload):
    type: ClassVar[str] = "user.email_verified"
    user_id: int


@dataclass(frozen=True)
class PasswordResetRequested(Payload):
    """Ours: someone asked for a reset link for this address (lower-case),
    which may belong to no account: the request answers the same either way,
    and only the mail consumer finds out."""

    type: ClassVar[str] = "user.password_reset_requested"
    email: str


@dataclass(frozen=True)
class ExportRequested(Payload):
    type: ClassVar[str] = "export.requested"
    user_id: int
    export_id: int


@dataclass(frozen=True)
class ExportReady(Payload):
    type: ClassVar[str] = "export.ready"
    user_id: int
    export_id: int


@dataclass(frozen=True)
class PostCreated(Payload):
    type: ClassVar[str] = "post.created"
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {
        "media": ("media_ids",), "hashtags": ("hashtags",), "mentions": ("mentions",)}
    post_id: int
    author_id: int
    media_ids: list[int] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # the names in its text, as written


@dataclass(frozen=True)
class PostDeleted(Payload):
    type: ClassVar[str] = "post.deleted"
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {"media": ("media_ids",), "hashtags": ("hashtags",)}
    post_id: int
    author_id: int
    hashtags: list[str]  # the post is gone when consumers see this: they cannot read them
    media_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PostLiked(Payload):
    type: ClassVar[str] = "post.liked"
    post_id: int
    post_author_id: int
    user_id: int
    like_id: int


@dataclass(frozen=True)
class PostUnliked(Payload):
    type: ClassVar[str] = "post.unliked"
    post_id: int
    post_author_id: int
    user_id: int
    like_id: int


@dataclass(frozen=True)
class PostSaved(Payload):
    """Ours: a user saved a post (private to them)."""

    type: ClassVar[str] = "post.saved"
    post_id: int
    user_id: int
    saved_id: int


@dataclass(frozen=True)
class PostUnsaved(Payload):
    """Ours: a user took a post out of their saved posts."""

    type: ClassVar[str] = "post.unsaved"
    post_id: int
    user_id: int


@dataclass(frozen=True)
class CommentAdded(Payload):
    type: ClassVar[str] = "comment.added"
    comment_id: int
    post_id: int
    post_author_id: int
    author_id: int


@dataclass(frozen=True)
class CommentDeleted(Payload):
    type: ClassVar[str] = "comment.deleted"
    comment_id: int
    post_id: int
    author_id: int


@dataclass(frozen=True)
class UserFollowed(Payload):
    type: ClassVar[str] = "user.followed"
    follower_id: int
    followee_id: int
    follow_id: int


@dataclass(frozen=True)
class UserUnfollowed(Payload):
    type: ClassVar[str] = "user.unfollowed"
    follower_id: int
    followee_id: int
    follow_id: int


@dataclass(frozen=True)
class FollowRequested(Payload):
    type: ClassVar[str] = "follow.requested"
    requester_id: int
    followee_id: int
    request_id: int


@dataclass(frozen=True)
class FollowApproved(Payload):
    """The request became a follow: the same fields as user.followed."""

    type: ClassVar[str] = "follow.approved"
    follower_id: int
    followee_id: int
    follow_id: int


@dataclass(frozen=True)
class FollowDeclined(Payload):
    """Declined by the account, or withdrawn by the requester."""

    type: ClassVar[str] = "follow.declined"
    requester_id: int
    followee_id: int
    request_id: int


@dataclass(frozen=True)
class PendingRequestsToApprove(Payload):
    """Ours, internal: the account is public, and may still have pending
    requests, which its consumer approves a page at a time."""

    type: ClassVar[str] = "follow.requests_pending"
    user_id: int


@dataclass(frozen=True)
class UserBlocked(Payload):
    type: ClassVar[str] = "user.blocked"
    blocker_id: int
    blocked_id: int
    block_id: int


@dataclass(frozen=True)
class UserUnblocked(Payload):
    type: ClassVar[str] = "user.unblocked"
    blocker_id: int
    blocked_id: int


@dataclass(frozen=True)
class HashtagRecountContinued(Payload):
    """Ours, internal: the hashtags consumer's walk of an account's posts,
    after its privacy changed, goes on after the post it reached."""

    type: ClassVar[str] = "hashtags.recount_continued"
    user_id: int
    after_post_id: int


@dataclass(frozen=True)
class ErasureContinued(Payload):
    """Ours, internal: the erasure of a deleted account goes on at `step`
    (chalicelib/consumers/erasure.py: STEPS), after the item whose sort key
    in that step's Query is `after` (0: from the step's start)."""

    type: ClassVar[str] = "user.erasure_continued"
    user_id: int
    step: str
    after: int = 0


@dataclass(frozen=True)
class FanOutContinued(Payload):
    """Ours, internal: the feed consumer's walk of an author's followers goes
    on after the follower it reached, putting an item (item_type "post" or
    "story") into their timelines (action "add") or taking it out
    ("remove")."""

    type: ClassVar[str] = "feed.fanout_continued"
    item_type: str
    action: str
    item_id: int
    author_id: int
    after_follower_id: int
    after_follow_id: int


@dataclass(frozen=True)
class LargeAccountWalkContinued(Payload):
    """Ours, internal: the feed consumer's walk of the followers of an
    account that grew large (action "enlist": into their large follows) or
    shrank back ("delist") goes on after the follower it reached."""

    type: ClassVar[str] = "feed.large_account_walk_continued"
    action: str
    author_id: int
    after_follower_id: int
    after_follow_id: int


@dataclass(frozen=True)
class StoryCreated(Payload):
    type: ClassVar[str] = "story.created"
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {"media": ("media_ids",)}
    story_id: int
    author_id: int
    media_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class StoryDeleted(Payload):
    type: ClassVar[str] = "story.deleted"
    carrying: ClassVar[dict[str, tuple[str, ...]]] = {"media": ("media_ids",)}
    story_id: int
    author_id: int
    media_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class MediaCreated(Payload):
    """Ours: an upload form was handed out."""

    type: ClassVar[str] = "media.created"
    media_id: int
    owner_id: int


@dataclass(frozen=True)
class MediaReady(Payload):
    type: ClassVar[str] = "media.ready"
    media_id: int
    owner_id: int


@dataclass(frozen=True)
class MediaRejected(Payload):
    type: ClassVar[str] = "media.rejected"
    media_id: int
    owner_id: int
    reason: str


@dataclass(frozen=True)
class MessageSent(Payload):
    type: ClassVar[str] = "message.sent"
    message_id: int
    sender_id: int
    receiver_id: int


@dataclass(frozen=True)
class MessagesRead(Payload):
    type: ClassVar[str] = "messages.read"
    reader_id: int
    sender_id: int
    up_to: int


@dataclass(frozen=True)
class NotificationCreated(Payload):
    """Ours: the notifications consumer wrote a new notification (for the
    push consumer, which sends it to the user's open connections)."""

    type: ClassVar[str] = "notification.created"
    user_id: int
    notification_id: int


@dataclass(frozen=True)
class NotificationRead(Payload):
    type: ClassVar[str] = "notification.read"
    user_id: int
    notification_id: int


@dataclass(frozen=True)
class NotificationsReadAll(Payload):
    type: ClassVar[str] = "notifications.read_all"
    user_id: int
    up_to: int


PAYLOADS: dict[str, type[Payload]] = {payload.type: payload for payload in Payload.__subclasses__()}
ALL_TYPES = frozenset(PAYLOADS)


class Typed(Protocol):
    """What an event's payload is: a domain Payload, or the typed form of a
    message from elsewhere (the uploads' S3 notification)."""

    type: ClassVar[str]


P = TypeVar("P", bound=Typed)

# The correlation id of what is being handled now: the API request, or the
# event a consumer is handling. Events published meanwhile carry it.
current_correlation_id: ContextVar[Optional[str]] = ContextVar("correlation_id", default=None)


@dataclass(frozen=True)
class Event(Generic[P]):
    payload: P
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=now_iso)
    correlation_id: Optional[str] = field(default_factory=current_correlation_id.get)
    # How many times its queue has handed this message out (SQS's
    # ApproximateReceiveCount): delivery, not data, so not on the wire. A
    # handler whose work can fail for good knows its last try by it.
    receives: int = 1

    @property
    def type(self) -> str:
        return self.payload.type

    @property
    def version(self) -> int:
        return getattr(self.payload, "version", 1)

    @property
    def data(self) -> dict[str, Any]:
        return asdict(self.payload)

    def to_json(self) -> str:
        return json.dumps({
            "type": self.type, "data": self.data, "version": self.version,
            "event_id": self.event_id, "occurred_at": self.occurred_at, "correlation_id": self.correlation_id,
        }, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Event":
        """ValueError (or KeyError, TypeError) when text is not an event of a
        known type; UnknownVersion when it is one of a version of that type
        this code does not know."""
        raw = json.loads(text)
        payload_class = PAYLOADS.get(raw["type"])
        if payload_class is None:
            raise ValueError(f"unknown event type {raw['type']!r}")
        if raw["version"] != payload_class.version:
            raise UnknownVersion(f"{raw['type']} version {raw['version']!r} is not the version this code reads "
                                 f"({payload_class.version})")
        correlation_id = raw.get("correlation_id")  # absent from events published before it was added
        if correlation_id is not None and not isinstance(correlation_id, str):
            raise ValueError(f"correlation_id must be a string, not {correlation_id!r}")
        return cls(
            payload=payload_class.from_data(raw["data"]),
            event_id=raw["event_id"],
            occurred_at=raw["occurred_at"],
            correlation_id=correlation_id,
        )
