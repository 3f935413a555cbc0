"""Who may see what of a private account: its owner and its approved
followers see its posts and its lists; anyone else sees its profile only.
Each check is at most one GetItem for the author (when not already read)
and one for the follow (only when the account is private)."""
from __future__ import annotations

from typing import Optional

from chalicelib.errors import Forbidden, NotFound
from chalicelib.models import Follow, Post, User

PRIVATE_ACCOUNT = "This account is private"
NO_SUCH_POST = "Post not found"


def may_see(owner: User, viewer_id: Optional[int]) -> bool:
    if not owner.is_private or viewer_id == owner.user_id:
        return True
    if viewer_id is None:
        return False
    try:
        Follow.get(viewer_id, owner.user_id)
    except Follow.DoesNotExist:
        return False
    return True


def require_account_visible(owner: User, viewer_id: Optional[int]) -> None:
    """For a private account's posts and lists: 403 to anyone who may not see them."""
    if not may_see(owner, viewer_id):
        raise Forbidden(PRIVATE_ACCOUNT)


def require_post_visible(post: Post, viewer_id: Optional[int]) -> Post:
    """A private account's post does not exist for anyone who may not see it: 404."""
    if post.author_id == viewer_id:
        return post
    try:
        author = User.get(post.author_id)
    except User.DoesNotExist:
        return post
    if not may_see(author, viewer_id):
        raise NotFound(NO_SUCH_POST)
    return post
