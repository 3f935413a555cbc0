"""Block and unblock. A block ends the follows and the pending requests
between the two users, both ways, in the block's own transaction, with both
users' counters. Each follow or request read beforehand is deleted only if
unchanged, and each one absent is checked to be still absent, so a follow,
an approval or an unfollow racing the block makes one of the two retry and
see the other's result; follows, requests and messages in turn check that
no block exists (`no_block_between`). Two users blocking each other at once
touch the same items: one retries, and both blocks stand."""
from __future__ import annotations

from chalicelib import events
from chalicelib.errors import Conflict, NotFound
from chalicelib.ids import new_id
from chalicelib.models import Block, Follow, FollowRequest, User
from chalicelib.models.base import stored_now
from chalicelib.writes import NOTHING_TO_DO, RETRY, Writes, command

NO_SUCH_USER = "User not found"


@command("block")
def block(writes: Writes, blocker_id: int, blocked_id: int) -> None:
    """Blocking a blocked user changes nothing."""
    if blocker_id == blocked_id:
        raise Conflict("Cannot block yourself")
    blocked = stored_now(User, blocked_id)
    if blocked is None or blocked.deleted:
        raise NotFound(NO_SUCH_USER)
    block_id = new_id()
    writes.update(Block(blocker_id, blocked_id), [Block.block_id.set(block_id)],
                  condition=Block.block_id.does_not_exist(), otherwise=NOTHING_TO_DO)
    writes.update(Block(blocked_id, blocker_id), [Block.blocked_by_id.set(block_id)])
    steps = {blocker_id: {}, blocked_id: {}}  # user: {counter: step}, one update per user
    for follower_id, followee_id in ((blocker_id, blocked_id), (blocked_id, blocker_id)):
        edge = stored_now(Follow, follower_id, followee_id)
        if edge is None:
            writes.check(Follow, follower_id, followee_id, condition=Follow.follower_id.does_not_exist(),
                         otherwise=RETRY)
        else:
            writes.delete(edge, condition=Follow.follow_id == edge.follow_id, otherwise=RETRY)
            steps[follower_id]["following_count"] = -1
            steps[followee_id]["follower_count"] = -1
        request = stored_now(FollowRequest, followee_id, follower_id)
        if request is None:
            writes.check(FollowRequest, followee_id, follower_id,
                         condition=FollowRequest.followee_id.does_not_exist(), otherwise=RETRY)
        else:
            writes.delete(request, condition=FollowRequest.request_id == request.request_id, otherwise=RETRY)
    for user_id, counters in steps.items():
        if counters:
            writes.update(User(user_id), [getattr(User, name).add(step) for name, step in counters.items()],
                          condition=User.user_id.exists())
    writes.publish(events.UserBlocked(blocker_id=blocker_id, blocked_id=blocked_id, block_id=block_id))


@command("unblock")
def unblock(writes: Writes, blocker_id: int, blocked_id: int) -> None:
    """Unblocking a user not blocked changes nothing."""
    if blocker_id == blocked_id:
        raise Conflict("Cannot unblock yourself")
    writes.update(Block(blocker_id, blocked_id), [Block.block_id.remove()], condition=Block.block_id.exists(),
                  otherwise=NOTHING_TO_DO)
    writes.update(Block(blocked_id, blocker_id), [Block.blocked_by_id.remove()])
    writes.publish(events.UserUnblocked(blocker_id=blocker_id, blocked_id=blocked_id))


def no_block_between(writes: Writes, actor_id: int, other_id: int) -> None:
    """For a command that reaches another user (follow, request, message):
    refuses when either blocks the other, as the other would see it, and
    holds that in the command's transaction."""
    relation = stored_now(Block, actor_id, other_id)
    if relation is not None and relation.blocked_by_id is not None:
        raise NotFound(NO_SUCH_USER)  # to the blocked user, the blocker does not exist
    if relation is not None and relation.block_id is not None:
        raise Conflict("Unblock this user first")
    writes.check(Block, actor_id, other_id, condition=Block.absent_either_way(), otherwise=RETRY)
