from __future__ import annotations

from chalicelib import events
from chalicelib.commands.media import claim, usable_media
from chalicelib.errors import NO_SUCH_USER, Unauthorized
from chalicelib.events import Payload
from chalicelib.models import User
from chalicelib.models.base import stored_now
from chalicelib.writes import Writes, command


def update_profile(user: User, full_name: str | None, bio: str | None, profile_image_url: str | None,
                   is_private: bool | None = None, profile_media_id: int | None = None) -> User:
    """Sets the fields given on user (the authenticated caller, as read with
    their token); None means "leave it as it is". Returns the user as stored
    afterwards. An account made public has its pending follow requests
    approved by the follow-requests consumer."""
    wanted = ((User.full_name, full_name), (User.bio, bio), (User.is_private, is_private))
    actions = [attribute.set(value) for attribute, value in wanted if value is not None]
    privacy_changed = is_private is not None and is_private != user.is_private
    if profile_image_url is not None or profile_media_id is not None:
        _change_photo(user.user_id, actions, profile_image_url, profile_media_id, privacy_changed)
    elif actions:
        # Without the condition an update would create a bare user.
        update_user(user.user_id, actions, User.user_id.exists(),
                    events.UserUpdated(user_id=user.user_id, privacy_changed=privacy_changed))
    else:
        return user
    # A transaction returns no values: read the user back.
    return User.get(user.user_id, consistent_read=True)


@command("save the change")
def _change_photo(writes: Writes, user_id: int, actions: list, image_url: str | None, media_id: int | None,
                  privacy_changed: bool = False) -> None:
    """The profile photo becomes an image URL or a media of the user's
    (claimed here). A media it replaces is released: the media consumer
    deletes it. The condition holds the photo read here until the commit."""
    user = stored_now(User, user_id)
    if user is None:
        raise Unauthorized(NO_SUCH_USER)
    previous = user.profile_media_id
    photo = None
    if media_id is None:
        actions = [*actions, User.profile_image_url.set(image_url), User.profile_media_id.remove()]
    elif media_id == previous:  # the same photo again: nothing to claim
        actions = [*actions, User.profile_media_id.set(media_id)]
    else:
        [photo] = usable_media(user_id, [media_id], "profile_media_id")
        actions = [*actions, User.profile_image_url.set(photo.thumbnail_url), User.profile_media_id.set(media_id)]
    unchanged = User.profile_media_id == previous if previous else User.profile_media_id.does_not_exist()
    # Before the claim: when both fail (the same request twice at once), the
    # changed photo decides, and the run again finds nothing left to do.
    writes.update(User(user_id), actions, condition=User.user_id.exists() & unchanged)
    if photo is not None:
        claim(writes, [photo], f"profile:{user_id}", "profile_media_id")
    claimed = [media_id] if photo is not None else []
    released = [previous] if previous and previous != media_id else []
    writes.publish(events.UserUpdated(user_id=user_id, media_ids=claimed, released_media_ids=released,
                                      privacy_changed=privacy_changed))


@command("save the change")
def update_user(writes: Writes, user_id: int, actions: list, condition, event: Payload) -> None:
    """One conditional update of the user, with its event. The condition
    guards what the caller's token vouched for (the user exists, the password
    is unchanged), so when it fails the token no longer holds: Unauthorized."""
    writes.update(User(user_id), actions, condition=condition, otherwise=Unauthorized(NO_SUCH_USER))
    writes.publish(event)
