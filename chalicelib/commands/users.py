from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib import events
from chalicelib.errors import Unauthorized
from chalicelib.models import User
from chalicelib.models.base import condition_failed
from chalicelib.publisher import publish
from chalicelib.queries.users import NO_SUCH_USER, get_current_user


def update_profile(user_id: int, full_name: str | None, bio: str | None,
                   profile_image_url: str | None) -> User:
    """Sets the fields given; None means "leave it as it is". One UpdateItem,
    which also returns the user as stored after it."""
    wanted = ((User.full_name, full_name), (User.bio, bio), (User.profile_image_url, profile_image_url))
    actions = [attribute.set(value) for attribute, value in wanted if value is not None]
    if not actions:
        return get_current_user(user_id)
    user = User(user_id)
    try:
        # Without the condition an UpdateItem would create a bare user.
        user.update(actions=actions, condition=User.user_id.exists())
    except UpdateError as error:
        if condition_failed(error):
            raise Unauthorized(NO_SUCH_USER) from None
        raise
    publish(events.Event(events.USER_UPDATED, {"user_id": user_id}))
    return user
