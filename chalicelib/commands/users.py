from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.errors import Unauthorized
from chalicelib.models import User
from chalicelib.models.base import CONDITION_FAILED, cancellation_codes, retried_on_conflict
from chalicelib.outbox import transaction_with
from chalicelib.queries.users import NO_SUCH_USER


def update_profile(user: User, full_name: str | None, bio: str | None,
                   profile_image_url: str | None) -> User:
    """Sets the fields given on user (the authenticated caller, as read with
    their token); None means "leave it as it is". Returns the user as stored
    afterwards."""
    wanted = ((User.full_name, full_name), (User.bio, bio), (User.profile_image_url, profile_image_url))
    actions = [attribute.set(value) for attribute, value in wanted if value is not None]
    if not actions:
        return user
    # Without the condition an update would create a bare user.
    update_user(user.user_id, actions, User.user_id.exists(),
                events.Event(events.USER_UPDATED, {"user_id": user.user_id}))
    # A transaction returns no values: read the user back.
    return User.get(user.user_id, consistent_read=True)


@retried_on_conflict
def update_user(user_id: int, actions: list, condition, event: events.Event) -> None:
    """One conditional update of the user, with its event. The condition
    guards what the caller's token vouched for (the user exists, the password
    is unchanged), so when it fails the token no longer holds: Unauthorized."""
    try:
        with transaction_with(event) as writes:
            writes.update(User(user_id), actions=actions, condition=condition)
    except TransactWriteError as error:
        if cancellation_codes(error, 1) == [CONDITION_FAILED]:
            raise Unauthorized(NO_SUCH_USER) from None
        raise
