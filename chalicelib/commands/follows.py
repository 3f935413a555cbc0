"""Follow and unfollow. The follow and both users' counters change in one
TransactWrite, so the counters always equal the number of follow items."""
from __future__ import annotations

from chalicelib import events
from chalicelib.errors import NO_SUCH_USER, Conflict, NotFound, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import Follow, User
from chalicelib.models.base import stored_now
from chalicelib.writes import Writes, command


@command("follow")
def follow(writes: Writes, follower_id: int, followee_id: int) -> Follow:
    if follower_id == followee_id:
        raise Conflict("Cannot follow yourself")
    try:
        User.get(followee_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None
    edge = Follow(follower_id, followee_id, follow_id=new_id())
    writes.put(edge, condition=Follow.follower_id.does_not_exist(), otherwise=Conflict("Already following"))
    _count(writes, followee_id, User.follower_count, +1, otherwise=NotFound("User not found"))
    _count(writes, follower_id, User.following_count, +1, otherwise=Unauthorized(NO_SUCH_USER))
    writes.publish(events.UserFollowed(**_keys(edge)))
    return edge


@command("unfollow")
def unfollow(writes: Writes, follower_id: int, followee_id: int) -> None:
    # Read first: the event names the follow_id, which a delete inside a
    # transaction cannot return.
    edge = stored_now(Follow, follower_id, followee_id)
    if edge is None:
        raise Conflict("Not following")
    # Unfollowed (or unfollowed and followed again) meanwhile: look again.
    writes.delete(edge, condition=Follow.follow_id == edge.follow_id)
    _count(writes, followee_id, User.follower_count, -1)
    _count(writes, follower_id, User.following_count, -1)
    writes.publish(events.UserUnfollowed(**_keys(edge)))


def _count(writes: Writes, user_id: int, counter, step: int, **otherwise) -> None:
    # The condition keeps an UpdateItem from creating a bare user item.
    writes.update(User(user_id), [counter.add(step)], condition=User.user_id.exists(), **otherwise)


def _keys(edge: Follow) -> dict:
    return {"follower_id": edge.follower_id, "followee_id": edge.followee_id, "follow_id": edge.follow_id}
