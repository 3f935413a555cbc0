"""Who may see what of another user.

- Blocks: to a user someone blocked, the blocker does not exist (404); lists
  shown to a viewer leave out anyone blocked either way (`without_blocked`).
- Private accounts: the owner and its approved followers see its posts and
  its lists; anyone else sees its profile only.

Each check is at most one GetItem of the viewer's block item for the other
user (either way: one key), one GetItem for the author (when not already
read), and, only for a private account, one GetItem of the viewer's
follow; a list's filter is one BatchGetItem for its page's distinct users."""
from __future__ import annotations

from typing import Callable, Iterable, Optional, TypeVar

from chalicelib.errors import Forbidden, NotFound
from chalicelib.models import Block, Follow, Post, UniqueKey, User
from chalicelib.models.base import stored_now
from chalicelib.queries.loading import fetch_many
from chalicelib.queries.paging import Page

PRIVATE_ACCOUNT = "This account is private"
NO_SUCH_POST = "Post not found"
NO_SUCH_USER = "User not found"

T = TypeVar("T")


def may_see(owner: User, viewer_id: Optional[int]) -> bool:
    """Whether viewer_id may see a (possibly private) account's posts and lists."""
    if not owner.is_private or viewer_id == owner.user_id:
        return True
    if viewer_id is None:
        return False
    try:
        Follow.get(viewer_id, owner.user_id)
    except Follow.DoesNotExist:
        return False
    return True


def blocked_by(owner_id: int, viewer_id: Optional[int]) -> bool:
    """Whether owner_id blocks viewer_id."""
    if viewer_id is None or viewer_id == owner_id:
        return False
    try:
        return Block.get(viewer_id, owner_id).blocked_by_id is not None
    except Block.DoesNotExist:
        return False


def blocked_either_way(user_id: int, other_id: int) -> bool:
    """Whether either user blocks the other, as stored now (strongly
    consistent: for consumers, which may run milliseconds after a block)."""
    relation = stored_now(Block, user_id, other_id)
    return relation is not None and relation.either_way


def require_profile_visible(owner: User, viewer_id: Optional[int]) -> None:
    if blocked_by(owner.user_id, viewer_id):
        raise NotFound(NO_SUCH_USER)


def require_account_visible(owner: User, viewer_id: Optional[int]) -> None:
    """For an account's posts and lists: 404 to whom it blocked, 403 to
    anyone who may not see a private account's."""
    require_profile_visible(owner, viewer_id)
    if not may_see(owner, viewer_id):
        raise Forbidden(PRIVATE_ACCOUNT)


def require_post_visible(post: Post, viewer_id: Optional[int]) -> Post:
    """A post does not exist (404) for whom its author blocked, nor for
    anyone who may not see its private author's posts."""
    if post.author_id == viewer_id:
        return post
    if blocked_by(post.author_id, viewer_id):
        raise NotFound(NO_SUCH_POST)
    try:
        author = User.get(post.author_id)
    except User.DoesNotExist:
        return post
    if not may_see(author, viewer_id):
        raise NotFound(NO_SUCH_POST)
    return post


def require_no_blocker_mentioned(author_id: int, names: list[str]) -> None:
    """Mentioning someone who blocked the author is 404, as that user does
    not exist for them: one BatchGetItem of the names' username claims and
    one of the author's block items for them (none without mentions)."""
    if not names:
        return
    claims = fetch_many(UniqueKey, [UniqueKey.for_username(name) for name in names])
    blocks = fetch_many(Block, [(author_id, claim.user_id) for claim in claims.values()])
    if any(block.blocked_by_id is not None for block in blocks.values()):
        raise NotFound(NO_SUCH_USER)


def without_hidden_private(viewer_id: int, items: Iterable[T], user_of: Callable[[T], int]) -> list[T]:
    """The items whose user the viewer may see (may_see): one BatchGetItem
    of the distinct users, and one of the viewer's follows of those that are
    private (none when none is). A user that no longer exists hides nothing."""
    items = list(items)
    users = fetch_many(User, {user_of(item) for item in items} - {viewer_id})
    private = [user_id for user_id, user in users.items() if user.is_private]
    followed = {followee for (_, followee) in fetch_many(Follow, [(viewer_id, user_id) for user_id in private])}
    hidden = set(private) - followed
    return [item for item in items if user_of(item) not in hidden]


def page_without_blocked(viewer_id: Optional[int], page: Page[T], user_of: Callable[[T], int]) -> Page[T]:
    """The page with without_blocked's items (it may come out shorter than
    its limit), and its cursor."""
    return Page(without_blocked(viewer_id, page.items, user_of), page.next_cursor)


def without_blocked(viewer_id: Optional[int], items: Iterable[T], user_of: Callable[[T], int]) -> list[T]:
    """The items whose user neither blocks the viewer nor is blocked by
    them: one BatchGetItem of the viewer's block items for the distinct
    users (none without a viewer)."""
    items = list(items)
    if viewer_id is None:
        return items
    others = {user_of(item) for item in items} - {viewer_id}
    blocked = {other for (_, other), block in fetch_many(Block, [(viewer_id, other) for other in others]).items()
               if block.either_way}
    return [item for item in items if user_of(item) not in blocked]
