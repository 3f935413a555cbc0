"""Follow and unfollow. The follow and both users' counters change in one
TransactWrite, so the counters always equal the number of follow items."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.errors import Conflict, NotFound, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import Follow, User
from chalicelib.models.base import CONDITION_FAILED, TRANSACTION_CONFLICT, cancellation_codes
from chalicelib.outbox import transaction_with
from chalicelib.queries.users import NO_SUCH_USER

# A transaction that lost a race with another on the same items is retried;
# a broken rule then fails its condition for good.
_ATTEMPTS = 4


def follow(follower_id: int, followee_id: int) -> Follow:
    if follower_id == followee_id:
        raise Conflict("Cannot follow yourself")
    try:
        User.get(followee_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None
    for _ in range(_ATTEMPTS):
        edge = Follow(follower_id, followee_id, follow_id=new_id())
        try:
            with transaction_with(events.Event(events.USER_FOLLOWED, _event_data(edge))) as writes:
                writes.save(edge, condition=Follow.follower_id.does_not_exist())
                _count(writes, follower_id, User.following_count, +1)
                _count(writes, followee_id, User.follower_count, +1)
        except TransactWriteError as error:
            codes = cancellation_codes(error, 3)
            already, follower_gone, followee_gone = (code == CONDITION_FAILED for code in codes)
            if already:
                raise Conflict("Already following") from error
            if followee_gone:
                raise NotFound("User not found") from error
            if follower_gone:
                raise Unauthorized(NO_SUCH_USER) from error
            if TRANSACTION_CONFLICT in codes:
                continue
            raise
        return edge
    raise Conflict("Could not follow right now, please retry")


def unfollow(follower_id: int, followee_id: int) -> None:
    for _ in range(_ATTEMPTS):
        # Read first: the event names the follow_id, which a delete inside a
        # transaction cannot return.
        try:
            edge = Follow.get(follower_id, followee_id, consistent_read=True)
        except Follow.DoesNotExist:
            raise Conflict("Not following") from None
        try:
            with transaction_with(events.Event(events.USER_UNFOLLOWED, _event_data(edge))) as writes:
                writes.delete(edge, condition=Follow.follow_id == edge.follow_id)
                _count(writes, follower_id, User.following_count, -1)
                _count(writes, followee_id, User.follower_count, -1)
        except TransactWriteError as error:
            codes = cancellation_codes(error, 3)
            if codes[0] == CONDITION_FAILED or TRANSACTION_CONFLICT in codes:
                # Unfollowed (or unfollowed and followed again) meanwhile: look again.
                continue
            raise
        return
    raise Conflict("Could not unfollow right now, please retry")


def _count(writes, user_id: int, counter, step: int) -> None:
    # The condition keeps an UpdateItem from creating a bare user item.
    writes.update(User(user_id), actions=[counter.add(step)], condition=User.user_id.exists())


def _event_data(edge: Follow) -> dict:
    return {"follower_id": edge.follower_id, "followee_id": edge.followee_id, "follow_id": edge.follow_id}
