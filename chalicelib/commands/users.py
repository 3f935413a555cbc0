from __future__ import annotations

from chalicelib import events
from chalicelib.errors import NO_SUCH_USER, Unauthorized
from chalicelib.events import Payload
from chalicelib.models import User
from chalicelib.writes import Writes, command


def update_profile(user: User, full_name: str | None, bio: str | None,
                   profile_image_url: str | None, is_private: bool | None = None) -> User:
    """Sets the fields given on user (the authenticated caller, as read with
    their token); None means "leave it as it is". Returns the user as stored
    afterwards. An account made public has its pending follow requests
    approved by the follow-requests consumer."""
    wanted = ((User.full_name, full_name), (User.bio, bio), (User.profile_image_url, profile_image_url),
              (User.is_private, is_private))
    actions = [attribute.set(value) for attribute, value in wanted if value is not None]
    if not actions:
        return user
    # Without the condition an update would create a bare user.
    update_user(user.user_id, actions, User.user_id.exists(),
                events.UserUpdated(user_id=user.user_id))
    # A transaction returns no values: read the user back.
    return User.get(user.user_id, consistent_read=True)


@command("save the change")
def update_user(writes: Writes, user_id: int, actions: list, condition, event: Payload) -> None:
    """One conditional update of the user, with its event. The condition
    guards what the caller's token vouched for (the user exists, the password
    is unchanged), so when it fails the token no longer holds: Unauthorized."""
    writes.update(User(user_id), actions, condition=condition, otherwise=Unauthorized(NO_SUCH_USER))
    writes.publish(event)
