"""Domain events: the envelope every write publishes."""
from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from chalicelib.clock import now_iso

USER_REGISTERED = "user.registered"
USER_UPDATED = "user.updated"
USER_PASSWORD_CHANGED = "user.password_changed"  # ours, not in the contract's list
POST_CREATED = "post.created"
POST_DELETED = "post.deleted"
POST_LIKED = "post.liked"
POST_UNLIKED = "post.unliked"
COMMENT_ADDED = "comment.added"
COMMENT_DELETED = "comment.deleted"
USER_FOLLOWED = "user.followed"
USER_UNFOLLOWED = "user.unfollowed"
STORY_CREATED = "story.created"
STORY_DELETED = "story.deleted"
MESSAGE_SENT = "message.sent"
MESSAGES_READ = "messages.read"
NOTIFICATION_READ = "notification.read"
NOTIFICATIONS_READ_ALL = "notifications.read_all"

ALL_TYPES = frozenset(
    value for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, str) and "." in value
)


@dataclass(frozen=True)
class Event:
    type: str
    data: dict[str, Any]
    version: int = 1
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=now_iso)

    def __post_init__(self):
        if self.type not in ALL_TYPES:
            raise ValueError(f"unknown event type {self.type!r}")

    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "Event":
        raw = json.loads(text)
        return cls(
            type=raw["type"],
            data=raw["data"],
            version=raw["version"],
            event_id=raw["event_id"],
            occurred_at=raw["occurred_at"],
        )
