from __future__ import annotations

from typing import Optional

from chalicelib.errors import NO_SUCH_USER, NotFound, Unauthorized
from chalicelib.models import Block, Follow, FollowRequest, User
from chalicelib.queries.access import (
    accounts_in_order,
    require_account_visible,
    require_profile_visible,
    without_blocked,
)
from chalicelib.queries.paging import Page, PageRequest, query_page

# LastEvaluatedKey of a Query on either follows index: the table key plus
# the index key.
_FOLLOW_INDEX_KEY = (Follow.follower_id, Follow.followee_id, Follow.follow_id)


def get_user(user_id: int) -> User:
    """The user, 404 if unknown or deleted (a tombstone is no account)."""
    try:
        user = User.get(user_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None
    if user.deleted:
        raise NotFound("User not found")
    return user


def get_profile(user_id: int, viewer_id: Optional[int]) -> User:
    """GetItem user (404 if unknown), and the viewer's block item: to whom
    it blocked, the user does not exist."""
    user = get_user(user_id)
    require_profile_visible(user, viewer_id)
    return user


def get_token_holder(user_id: int, password_version: int) -> User:
    """The user a valid token names, if the token is still theirs: a password
    change bumps password_version and so retires every token issued before.
    Strongly consistent, so that a change takes effect at once. A valid
    token for a user that does not exist, or whose account was deleted, is
    as good as no token."""
    try:
        user = User.get(user_id, consistent_read=True)
    except User.DoesNotExist:
        raise Unauthorized(NO_SUCH_USER) from None
    if user.deleted or user.password_version != password_version:
        raise Unauthorized(NO_SUCH_USER)
    return user


def followers(user_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[User]:
    """Who follows user_id, most recent follow first."""
    return _follow_ends(user_id, viewer_id, page, Follow.followers, "followers", lambda follow: follow.follower_id)


def following(user_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[User]:
    """Whom user_id follows, most recent follow first."""
    return _follow_ends(user_id, viewer_id, page, Follow.following, "following", lambda follow: follow.followee_id)


def follow_requests(user_id: int, page: PageRequest) -> Page[User]:
    """Who asked to follow user_id, newest first."""
    return _users_listed(FollowRequest.by_time, user_id, page, "follow-requests",
                         (FollowRequest.followee_id, FollowRequest.requester_id, FollowRequest.request_id),
                         lambda request: request.requester_id)


def blocked_by(user_id: int, page: PageRequest) -> Page[User]:
    """Whom user_id blocked, newest first."""
    return _users_listed(Block.by_time, user_id, page, "blocks", (Block.user_id, Block.other_id, Block.block_id),
                         lambda block: block.other_id)


def _follow_ends(user_id: int, viewer_id: Optional[int], page: PageRequest, index, scope: str,
                 other_of) -> Page[User]:
    """GetItem user (404 if unknown), the access check, the users at the
    other end of a page of follows, and one BatchGetItem of the viewer's
    block items for them (those blocked either way are left out)."""
    require_account_visible(get_user(user_id), viewer_id)
    users = _users_listed(index, user_id, page, scope, _FOLLOW_INDEX_KEY, other_of)
    return Page(without_blocked(viewer_id, users.items, lambda user: user.user_id), users.next_cursor)


def _users_listed(index, user_id: int, page: PageRequest, scope: str, key_attributes, user_of) -> Page[User]:
    """One Query of user_id's partition of an index, newest first, and one
    BatchGetItem of the user each entry names (a deleted account is none)."""
    entries = query_page(
        lambda **kwargs: index.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"{scope}:{user_id}",
        key_attributes=key_attributes,
    )
    return Page(accounts_in_order([user_of(entry) for entry in entries.items]), entries.next_cursor)
