"""Follow, unfollow, and the requests a private account approves or
declines. A follow and both users' counters change in one TransactWrite, so
the counters always equal the number of follow items; an approval is that
same transaction with the request's deletion in it.

Whether the account is private is read before the transaction and held by
it: a follow's counter update requires the account to be public, a request
requires it to be private, so a follow racing the account's change of
privacy is retried and takes the other path."""
from __future__ import annotations

from typing import NamedTuple

from chalicelib import events
from chalicelib.commands.blocks import no_block_between
from chalicelib.errors import NO_SUCH_USER, Conflict, NotFound, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import Follow, FollowRequest, User
from chalicelib.models.base import stored_now
from chalicelib.writes import RETRY, Writes, command

NO_SUCH_REQUEST = "Follow request not found"


class FollowState(NamedTuple):
    following: bool
    requested: bool


FOLLOWING = FollowState(following=True, requested=False)
REQUESTED = FollowState(following=False, requested=True)
NEITHER = FollowState(following=False, requested=False)

_PUBLIC = User.is_private.does_not_exist() | (User.is_private == False)  # noqa: E712


@command("follow")
def follow(writes: Writes, follower_id: int, followee_id: int) -> FollowState:
    """Follows a public account; asks a private one."""
    if follower_id == followee_id:
        raise Conflict("Cannot follow yourself")
    followee = stored_now(User, followee_id)
    if followee is None or followee.deleted:
        raise NotFound("User not found")
    no_block_between(writes, follower_id, followee_id)
    if followee.is_private:
        return _request(writes, follower_id, followee_id)
    edge = Follow(follower_id, followee_id, follow_id=new_id())
    writes.put(edge, condition=Follow.follower_id.does_not_exist(), otherwise=Conflict("Already following"))
    # Gone private meanwhile: try again, as a request.
    _count(writes, followee_id, User.follower_count, +1, condition=_PUBLIC, otherwise=RETRY)
    _count(writes, follower_id, User.following_count, +1, otherwise=Unauthorized(NO_SUCH_USER))
    writes.publish(events.UserFollowed(**_keys(edge)))
    return FOLLOWING


def _request(writes: Writes, requester_id: int, followee_id: int) -> FollowState:
    request = FollowRequest(followee_id, requester_id, request_id=new_id())
    writes.put(request, condition=FollowRequest.followee_id.does_not_exist(), otherwise=Conflict("Already requested"))
    writes.check(Follow, requester_id, followee_id, condition=Follow.follower_id.does_not_exist(),
                 otherwise=Conflict("Already following"))
    # Gone public meanwhile: try again, as a follow.
    writes.check(User, followee_id, condition=User.is_private == True, otherwise=RETRY)  # noqa: E712
    writes.publish(events.FollowRequested(requester_id=requester_id, followee_id=followee_id,
                                          request_id=request.request_id))
    return REQUESTED


@command("unfollow")
def unfollow(writes: Writes, follower_id: int, followee_id: int) -> None:
    """Ends a follow, or withdraws a pending request."""
    # Read first: the event names the follow_id, which a delete inside a
    # transaction cannot return.
    edge = stored_now(Follow, follower_id, followee_id)
    if edge is None:
        request = stored_now(FollowRequest, followee_id, follower_id)
        if request is None:
            raise Conflict("Not following")
        _withdraw(writes, request)
        return
    # Unfollowed (or unfollowed and followed again) meanwhile: look again.
    writes.delete(edge, condition=Follow.follow_id == edge.follow_id)
    _count(writes, followee_id, User.follower_count, -1)
    _count(writes, follower_id, User.following_count, -1)
    writes.publish(events.UserUnfollowed(**_keys(edge)))


@command("approve the request")
def approve(writes: Writes, followee_id: int, requester_id: int) -> None:
    """The request becomes a follow, with both counters, in one transaction."""
    request = _pending(followee_id, requester_id)
    writes.delete(request, condition=FollowRequest.request_id == request.request_id,
                  otherwise=NotFound(NO_SUCH_REQUEST))
    if stored_now(Follow, requester_id, followee_id) is not None:
        # Followed while the account was public: the request is simply done,
        # as long as that follow still stands.
        writes.check(Follow, requester_id, followee_id, condition=Follow.follower_id.exists(), otherwise=RETRY)
        return
    edge = Follow(requester_id, followee_id, follow_id=new_id())
    writes.put(edge, condition=Follow.follower_id.does_not_exist())
    _count(writes, followee_id, User.follower_count, +1, otherwise=Unauthorized(NO_SUCH_USER))
    _count(writes, requester_id, User.following_count, +1)
    writes.publish(events.FollowApproved(**_keys(edge)))


@command("decline the request")
def decline(writes: Writes, followee_id: int, requester_id: int) -> None:
    _withdraw(writes, _pending(followee_id, requester_id))


def _pending(followee_id: int, requester_id: int) -> FollowRequest:
    request = stored_now(FollowRequest, followee_id, requester_id)
    if request is None:
        raise NotFound(NO_SUCH_REQUEST)
    return request


def _withdraw(writes: Writes, request: FollowRequest) -> None:
    writes.delete(request, condition=FollowRequest.request_id == request.request_id,
                  otherwise=NotFound(NO_SUCH_REQUEST))
    writes.publish(events.FollowDeclined(requester_id=request.requester_id, followee_id=request.followee_id,
                                         request_id=request.request_id))


def _count(writes: Writes, user_id: int, counter, step: int, condition=None, **otherwise) -> None:
    # The condition keeps an UpdateItem from creating a bare user item.
    exists = User.user_id.exists()
    writes.update(User(user_id), [counter.add(step)], condition=exists if condition is None else exists & condition,
                  **otherwise)


def _keys(edge: Follow) -> dict:
    return {"follower_id": edge.follower_id, "followee_id": edge.followee_id, "follow_id": edge.follow_id}
