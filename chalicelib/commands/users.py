from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.errors import Unauthorized
from chalicelib.models import User
from chalicelib.models.base import CONDITION_FAILED, cancellation_codes
from chalicelib.outbox import transaction_with
from chalicelib.queries.users import NO_SUCH_USER


def update_profile(user: User, full_name: str | None, bio: str | None,
                   profile_image_url: str | None) -> User:
    """Sets the fields given on user (the authenticated caller, as read with
    their token); None means "leave it as it is". Returns the user as stored
    afterwards."""
    user_id = user.user_id
    wanted = ((User.full_name, full_name), (User.bio, bio), (User.profile_image_url, profile_image_url))
    actions = [attribute.set(value) for attribute, value in wanted if value is not None]
    if not actions:
        return user
    try:
        with transaction_with(events.Event(events.USER_UPDATED, {"user_id": user_id})) as writes:
            # Without the condition an update would create a bare user.
            writes.update(User(user_id), actions=actions, condition=User.user_id.exists())
    except TransactWriteError as error:
        if cancellation_codes(error, 1) == [CONDITION_FAILED]:
            raise Unauthorized(NO_SUCH_USER) from None
        raise
    # A transaction returns no values: read the user back.
    return User.get(user_id, consistent_read=True)
