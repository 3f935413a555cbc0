"""Posts, likes and comments. Each counter (a user's post_count, a post's
like_count and comment_count) changes in the same TransactWrite as what it
counts, so it stays exact under concurrency."""
from __future__ import annotations

import re

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.clock import now_iso
from chalicelib.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import Comment, Like, Post, User
from chalicelib.models.base import CONDITION_FAILED, TRANSACTION_CONFLICT, cancellation_codes
from chalicelib.models.timelines import FeedEntry
from chalicelib.outbox import transaction_with
from chalicelib.queries.users import NO_SUCH_USER

# An id collision between processes, or a transaction racing another on the
# same items, is retried after reading the current state again.
_ATTEMPTS = 4

MAX_HASHTAGS = 30
# A tag is a DynamoDB key (hashtags' sort key: at most 1,024 bytes); 100
# characters of up to 4 UTF-8 bytes each stay well inside that.
MAX_HASHTAG_LENGTH = 100

_HASHTAG = re.compile(r"#(\w+)")


def hashtags_in(content: str | None) -> list[str]:
    """The distinct tags of a text, lower-cased, in order of appearance."""
    tags = list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(content or "")))
    if len(tags) > MAX_HASHTAGS:
        raise Invalid(f"content: at most {MAX_HASHTAGS} hashtags")
    if any(len(tag) > MAX_HASHTAG_LENGTH for tag in tags):
        raise Invalid(f"content: a hashtag may have at most {MAX_HASHTAG_LENGTH} characters")
    return tags


def create_post(author: User, content: str | None, image_url: str | None) -> Post:
    """author: the authenticated caller, as read with their token."""
    author_id = author.user_id
    hashtags = hashtags_in(content)
    for _ in range(_ATTEMPTS):
        post = Post(
            new_id(),
            author_id=author_id,
            author_username=author.username,
            content=content,
            image_url=image_url,
            hashtags=hashtags,
            like_count=0,
            comment_count=0,
            created_at=now_iso(),
        )
        created = events.Event(events.POST_CREATED, {"post_id": post.post_id, "author_id": author_id})
        try:
            with transaction_with(created) as writes:
                writes.save(post, condition=Post.post_id.does_not_exist())
                # The author sees their own post in their feed at once, without
                # waiting for the feed consumer.
                writes.save(FeedEntry.entry(owner_id=author_id, item_id=post.post_id, author_id=author_id))
                writes.update(User(author_id), actions=[User.post_count.add(1)], condition=User.user_id.exists())
        except TransactWriteError as error:
            post_clash, entry_code, no_author = cancellation_codes(error, 3)
            if no_author == CONDITION_FAILED:
                raise Unauthorized(NO_SUCH_USER) from error
            if post_clash == CONDITION_FAILED or TRANSACTION_CONFLICT in (post_clash, entry_code, no_author):
                continue
            raise
        return post
    raise Conflict("Could not create the post right now, please retry")


def delete_post(user_id: int, post_id: int) -> None:
    for _ in range(_ATTEMPTS):
        post = _post(post_id, consistent=True)
        if post.author_id != user_id:
            raise Forbidden("Not your post")
        deleted = events.Event(events.POST_DELETED, {
            "post_id": post_id, "author_id": user_id, "hashtags": list(post.hashtags or []),
        })
        try:
            with transaction_with(deleted) as writes:
                writes.delete(post, condition=Post.author_id == user_id)
                writes.update(User(user_id), actions=[User.post_count.add(-1)], condition=User.user_id.exists())
        except TransactWriteError as error:
            gone, no_author = cancellation_codes(error, 2)
            if gone == CONDITION_FAILED or TRANSACTION_CONFLICT in (gone, no_author):
                continue  # deleted or changed meanwhile: decide again on a fresh read
            if no_author == CONDITION_FAILED:
                raise Unauthorized(NO_SUCH_USER) from error
            raise
        return
    raise Conflict("Could not delete the post right now, please retry")


def toggle_like(user_id: int, post_id: int) -> tuple[bool, int]:
    """Likes the post, or unlikes it if already liked. Returns (liked,
    like_count). A toggle that loses a race with another toggle of the same
    user reads again and decides again."""
    for _ in range(_ATTEMPTS):
        post = _post(post_id, consistent=True)
        try:
            like = Like.get(post_id, user_id, consistent_read=True)
        except Like.DoesNotExist:
            like = None
        liked = like is None
        if liked:
            like = Like(post_id, user_id, like_id=new_id())
        event = events.Event(events.POST_LIKED if liked else events.POST_UNLIKED, {
            "post_id": post_id, "post_author_id": post.author_id, "user_id": user_id, "like_id": like.like_id,
        })
        if liked:
            done = _write_like(like, event, +1, condition=Like.user_id.does_not_exist())
        else:
            # Only this very like: one made after a concurrent unlike is not ours to remove.
            done = _write_like(like, event, -1, condition=Like.like_id == like.like_id)
        if not done:
            continue
        # Other users' likes committed since our read are not counted here;
        # the stored counter itself is exact.
        return liked, max(post.like_count + (1 if liked else -1), 0)
    raise Conflict("Could not update the like right now, please retry")


def _write_like(like: Like, event: events.Event, change: int, condition) -> bool:
    """The like (put or delete), the post's like_count and the event,
    together. False when a concurrent toggle got there first."""
    post_id = like.post_id
    try:
        with transaction_with(event) as writes:
            if change > 0:
                writes.save(like, condition=condition)
            else:
                writes.delete(like, condition=condition)
            writes.update(Post(post_id), actions=[Post.like_count.add(change)], condition=Post.post_id.exists())
    except TransactWriteError as error:
        like_code, post_code = cancellation_codes(error, 2)
        if post_code == CONDITION_FAILED:
            raise NotFound("Post not found") from error
        if like_code == CONDITION_FAILED or TRANSACTION_CONFLICT in (like_code, post_code):
            return False
        raise
    return True


def add_comment(author: User, post_id: int, content: str) -> Comment:
    """author: the authenticated caller, as read with their token."""
    user_id = author.user_id
    post = _post(post_id)
    for _ in range(_ATTEMPTS):
        comment = Comment(
            new_id(),
            post_id=post_id,
            author_id=user_id,
            author_username=author.username,
            content=content,
            created_at=now_iso(),
        )
        added = events.Event(events.COMMENT_ADDED, {
            "comment_id": comment.comment_id, "post_id": post_id,
            "post_author_id": post.author_id, "author_id": user_id,
        })
        try:
            with transaction_with(added) as writes:
                writes.save(comment, condition=Comment.comment_id.does_not_exist())
                writes.update(Post(post_id), actions=[Post.comment_count.add(1)], condition=Post.post_id.exists())
        except TransactWriteError as error:
            comment_clash, no_post = cancellation_codes(error, 2)
            if no_post == CONDITION_FAILED:
                raise NotFound("Post not found") from error
            if comment_clash == CONDITION_FAILED or TRANSACTION_CONFLICT in (comment_clash, no_post):
                continue
            raise
        return comment
    raise Conflict("Could not add the comment right now, please retry")


def delete_comment(user_id: int, comment_id: int) -> None:
    """The comment's author, or the author of the post it is on, may delete it."""
    try:
        comment = Comment.get(comment_id)
    except Comment.DoesNotExist:
        raise NotFound("Comment not found") from None
    for _ in range(_ATTEMPTS):
        try:
            post = Post.get(comment.post_id, consistent_read=True)
        except Post.DoesNotExist:
            post = None
        if user_id != comment.author_id and (post is None or post.author_id != user_id):
            raise Forbidden("Not your comment")
        deleted = events.Event(events.COMMENT_DELETED, {
            "comment_id": comment_id, "post_id": comment.post_id, "author_id": comment.author_id,
        })
        try:
            with transaction_with(deleted) as writes:
                writes.delete(comment, condition=Comment.comment_id.exists())
                if post is not None:
                    writes.update(Post(post.post_id), actions=[Post.comment_count.add(-1)],
                                  condition=Post.post_id.exists())
        except TransactWriteError as error:
            gone, post_gone = cancellation_codes(error, 2)
            if gone == CONDITION_FAILED:
                raise NotFound("Comment not found") from error
            if post_gone == CONDITION_FAILED or TRANSACTION_CONFLICT in (gone, post_gone):
                continue  # the post was deleted meanwhile: its count no longer matters
            raise
        return
    raise Conflict("Could not delete the comment right now, please retry")


def _post(post_id: int, consistent: bool = False) -> Post:
    try:
        return Post.get(post_id, consistent_read=consistent)
    except Post.DoesNotExist:
        raise NotFound("Post not found") from None

