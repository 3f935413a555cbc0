"""Who may see what of another user.

- Blocks: to a user someone blocked, the blocker does not exist (404); lists
  shown to a viewer leave out anyone blocked either way (`without_blocked`).
- Private accounts: the owner and its approved followers see its posts and
  its lists; anyone else sees its profile only.
- Deleted accounts: a tombstone (User.deleted) is no account to anyone, and
  what it wrote is gone from every page at once, before the consumers of
  user.deleted erase it: wherever a page reads its users it treats a
  tombstone as absent, and a page of posts, stories, comments or
  notifications reads its authors in the BatchGetItem it makes anyway
  (`in_order_by_accounts`, `hidden_among`). Those reads are eventually
  consistent: for about a second after the deletion a page may still show
  it (docs/accounts.md).

Each check is at most one GetItem of the viewer's block item for the other
user (either way: one key), one GetItem for the author (when not already
read), and, only for a private account, one GetItem of the viewer's
follow; a list's filter is one BatchGetItem for its page's distinct users."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Optional, TypeVar

from chalicelib.errors import Forbidden, NotFound
from chalicelib.models import Block, Follow, Post, UniqueKey, User
from chalicelib.models.base import stored_now
from chalicelib.queries.loading import fetch_many, fetch_together, in_order

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
    if author.deleted or not may_see(author, viewer_id):
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
    private (none when none is). A deleted account hides its items; a user
    that no longer exists hides nothing."""
    items = list(items)
    users = fetch_many(User, {user_of(item) for item in items} - {viewer_id})
    private = [user_id for user_id, user in users.items() if user.is_private and not user.deleted]
    followed = {followee for (_, followee) in fetch_many(Follow, [(viewer_id, user_id) for user_id in private])}
    hidden = set(private) - followed | {user_id for user_id, user in users.items() if user.deleted}
    return [item for item in items if user_of(item) not in hidden]


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


def accounts_in_order(user_ids: Iterable[int]) -> list[User]:
    """in_order of the users, leaving out deleted accounts as unknown ones."""
    return [user for user in in_order(User, user_ids) if not user.deleted]


def without_deleted(items: Iterable[T], user_of: Callable[[T], int], users: dict) -> list[T]:
    """The items whose user, as read in users ({user_id: User}), is not a
    deleted account (one missing from users hides nothing)."""
    return [item for item in items if not (user_of(item) in users and users[user_of(item)].deleted)]


def in_order_by_accounts(model: type[T], items_and_authors: list[tuple[int, int]], reader_id: int) -> list[T]:
    """in_order of the items (item id, its author's id) and, in the same
    BatchGetItem, their distinct authors but the reader (whose token was
    just checked): the items whose author's account was deleted are left
    out."""
    items, authors = fetch_together((model, [item_id for item_id, _ in items_and_authors]),
                                    (User, {author_id for _, author_id in items_and_authors} - {reader_id}))
    found = [items[item_id] for item_id, _ in items_and_authors if item_id in items]
    return without_deleted(found, lambda item: item.author_id, authors)


@dataclass(frozen=True)
class Hidden:
    """Of some users, those a viewer must not see: blocked either way, or deleted."""

    blocked: frozenset
    deleted: frozenset

    def __contains__(self, user_id: int) -> bool:
        return user_id in self.blocked or user_id in self.deleted


def hidden_among(viewer_id: Optional[int], user_ids: Iterable[int]) -> Hidden:
    """One BatchGetItem of the users and, with a viewer, of the viewer's
    block items for them (without_blocked's read, with the users added)."""
    others = set(user_ids) - {viewer_id}
    block_keys = [(viewer_id, other) for other in others] if viewer_id is not None else []
    blocks, users = fetch_together((Block, block_keys), (User, others))
    return Hidden(frozenset(other for (_, other), block in blocks.items() if block.either_way),
                  frozenset(user_id for user_id, user in users.items() if user.deleted))


def without_blocked_or_deleted(viewer_id: Optional[int], items: Iterable[T], user_of: Callable[[T], int]) -> list[T]:
    """without_blocked, also leaving out the items of deleted accounts: one
    BatchGetItem (hidden_among) for both."""
    items = list(items)
    hidden = hidden_among(viewer_id, {user_of(item) for item in items})
    return [item for item in items if user_of(item) not in hidden]
