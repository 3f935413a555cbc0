from __future__ import annotations

from typing import Optional

from chalicelib.errors import NO_SUCH_USER, NotFound, Unauthorized
from chalicelib.models import Follow, FollowRequest, User
from chalicelib.queries.access import require_account_visible
from chalicelib.queries.loading import in_order
from chalicelib.queries.paging import Page, PageRequest, query_page

# LastEvaluatedKey of a Query on either follows index: the table key plus
# the index key.
_FOLLOW_INDEX_KEY = (Follow.follower_id, Follow.followee_id, Follow.follow_id)


def get_user(user_id: int) -> User:
    try:
        return User.get(user_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None


def get_token_holder(user_id: int, password_version: int) -> User:
    """The user a valid token names, if the token is still theirs: a password
    change bumps password_version and so retires every token issued before.
    Strongly consistent, so that a change takes effect at once. A valid
    token for a user that does not exist is as good as no token."""
    try:
        user = User.get(user_id, consistent_read=True)
    except User.DoesNotExist:
        raise Unauthorized(NO_SUCH_USER) from None
    if user.password_version != password_version:
        raise Unauthorized(NO_SUCH_USER)
    return user


def followers(user_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[User]:
    """Who follows user_id, most recent follow first."""
    return _other_ends(user_id, viewer_id, page, Follow.followers, "followers", lambda follow: follow.follower_id)


def following(user_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[User]:
    """Whom user_id follows, most recent follow first."""
    return _other_ends(user_id, viewer_id, page, Follow.following, "following", lambda follow: follow.followee_id)


def follow_requests(user_id: int, page: PageRequest) -> Page[User]:
    """Who asked to follow user_id, newest first: one Query on the requests'
    index, one BatchGetItem for the requesters."""
    requests = query_page(
        lambda **kwargs: FollowRequest.by_time.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"follow-requests:{user_id}",
        key_attributes=(FollowRequest.followee_id, FollowRequest.requester_id, FollowRequest.request_id),
    )
    return Page(in_order(User, [request.requester_id for request in requests.items]), requests.next_cursor)


def _other_ends(user_id: int, viewer_id: Optional[int], page: PageRequest, index, scope: str,
                other_of) -> Page[User]:
    """GetItem user (404 if unknown), the access check, Query one follows
    index, BatchGetItem the users at the other end of each follow."""
    require_account_visible(get_user(user_id), viewer_id)
    follows = query_page(
        lambda **kwargs: index.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"{scope}:{user_id}",
        key_attributes=_FOLLOW_INDEX_KEY,
    )
    return Page(in_order(User, [other_of(follow) for follow in follows.items]), follows.next_cursor)
