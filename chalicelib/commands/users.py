from __future__ import annotations

from pynamodb.exceptions import UpdateError

from chalicelib import events
from chalicelib.errors import Unauthorized
from chalicelib.models import User
from chalicelib.publisher import publish

# A valid token for a user that does not exist is as good as no token.
_NO_SUCH_USER = "Could not validate credentials"


def update_profile(user_id: int, full_name: str | None, bio: str | None,
                   profile_image_url: str | None) -> User:
    """Sets the fields given; None means "leave it as it is". One UpdateItem,
    which also returns the user as stored after it."""
    wanted = ((User.full_name, full_name), (User.bio, bio), (User.profile_image_url, profile_image_url))
    actions = [attribute.set(value) for attribute, value in wanted if value is not None]
    if not actions:
        try:
            return User.get(user_id)
        except User.DoesNotExist:
            raise Unauthorized(_NO_SUCH_USER) from None
    user = User(user_id)
    try:
        # Without the condition an UpdateItem would create a bare user.
        user.update(actions=actions, condition=User.user_id.exists())
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            raise Unauthorized(_NO_SUCH_USER) from None
        raise
    publish(events.Event(events.USER_UPDATED, {"user_id": user_id}))
    return user
