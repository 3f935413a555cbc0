from __future__ import annotations

from typing import Optional

from chalicelib.errors import NotFound
from chalicelib.models import Comment, Mark, Post
from chalicelib.queries.access import (
    NO_SUCH_POST,
    hidden_among,
    require_account_visible,
    require_post_visible,
    without_blocked,
    without_blocked_or_deleted,
    without_hidden_private,
)
from chalicelib.queries.loading import fetch_many
from chalicelib.queries.paging import Page, PageRequest, query_page
from chalicelib.queries.users import get_user
from chalicelib.queries.viewer import SeenPost, seen_with


def get_post(post_id: int, viewer_id: Optional[int]) -> Post:
    """The post, if viewer_id may see it: one GetItem, and the access check."""
    try:
        post = Post.get(post_id)
    except Post.DoesNotExist:
        raise NotFound(NO_SUCH_POST) from None
    return require_post_visible(post, viewer_id)


def posts_of_user(user_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[Post]:
    """Newest first: one GetItem for the user, the access check, one Query on by-author."""
    require_account_visible(get_user(user_id), viewer_id)
    return query_page(
        lambda **kwargs: Post.by_author.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"user-posts:{user_id}",
        key_attributes=(Post.post_id, Post.author_id),
    )


def saved_posts(user_id: int, page: PageRequest) -> Page[SeenPost]:
    """Most recently saved first, as their owner sees them: one Query on the
    marks' saved index (the marks also say which posts they like), one
    BatchGetItem for the posts, one for their authors, one of the owner's
    follows of the private ones among them, one of the owner's block items
    for them. A deleted post is skipped at once (the cleanup consumer removes
    its marks shortly after), and so is a post of anyone blocked either way
    or of a private account the owner does not follow: saved while it was
    public, it comes back if the account does. The page may then be shorter
    than its limit; its cursor leads on."""
    marks = query_page(
        lambda **kwargs: Mark.saved.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"saved:{user_id}",
        key_attributes=(Mark.user_id, Mark.post_id, Mark.saved_id),
    )
    posts = fetch_many(Post, [mark.post_id for mark in marks.items])

    def author_of(mark: Mark) -> int:
        return posts[mark.post_id].author_id

    visible = without_hidden_private(user_id, [mark for mark in marks.items if mark.post_id in posts], author_of)
    shown = without_blocked(user_id, visible, author_of)
    return Page([seen_with(posts[mark.post_id], mark) for mark in shown], marks.next_cursor)


def replies_of(comment_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[Comment]:
    """Oldest first: one GetItem for the comment (unknown: 404), its post
    and the access check, one Query on replies, and one BatchGetItem of
    their authors and the comment's (a deleted account's comment: 404) with
    the viewer's block items for them."""
    try:
        comment = Comment.get(comment_id)
    except Comment.DoesNotExist:
        raise NotFound("Comment not found") from None
    get_post(comment.on_post, viewer_id)
    replies = query_page(
        lambda **kwargs: Comment.replies.query(comment_id, **kwargs),
        page,
        scope=f"replies:{comment_id}",
        key_attributes=(Comment.comment_id, Comment.parent_id),
    )
    hidden = hidden_among(viewer_id, {comment.author_id} | {reply.author_id for reply in replies.items})
    if comment.author_id in hidden.deleted:
        raise NotFound("Comment not found")
    return Page([reply for reply in replies.items if reply.author_id not in hidden], replies.next_cursor)


def comments_of_post(post_id: int, viewer_id: Optional[int], page: PageRequest) -> Page[Comment]:
    """Newest first: one GetItem for the post (a deleted post has no
    comments to show), the access check, one Query on by-post, one
    BatchGetItem of the authors (a deleted account's comments are left out)
    and of the viewer's block items for them."""
    get_post(post_id, viewer_id)
    comments = query_page(
        lambda **kwargs: Comment.by_post.query(post_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"post-comments:{post_id}",
        key_attributes=(Comment.comment_id, Comment.post_id),
    )
    return Page(without_blocked_or_deleted(viewer_id, comments.items, lambda comment: comment.author_id),
                comments.next_cursor)
