"""Posts, likes and comments. Each counter (a user's post_count, a post's
like_count and comment_count) changes in the same TransactWrite as what it
counts, so it stays exact under concurrency."""
from __future__ import annotations

from typing import Sequence

from chalicelib import events
from chalicelib.clock import now_iso
from chalicelib.commands.media import claim, usable_media
from chalicelib.errors import NO_SUCH_USER, Forbidden, NotFound, Unauthorized
from chalicelib.ids import new_id
from chalicelib.models import Comment, Like, Mark, Post, User
from chalicelib.models.base import stored_now
from chalicelib.models.media import MediaItem
from chalicelib.models.timelines import FeedEntry
from chalicelib.queries.access import require_no_blocker_mentioned, require_post_visible
from chalicelib.text import hashtags_in, mentions_in
from chalicelib.writes import NOTHING_TO_DO, SKIP, Writes, command


@command("create the post")
def create_post(writes: Writes, author: User, content: str | None, image_url: str | None,
                media_ids: Sequence[int] = ()) -> Post:
    """author: the authenticated caller, as read with their token. With
    media_ids, the post claims those media, and its image_url is the first's."""
    author_id = author.user_id
    # Refuses too many, and anyone who blocked the author; the notifications
    # consumer reads them from the post.
    mentioned = mentions_in(content)
    require_no_blocker_mentioned(author_id, mentioned)
    photos = usable_media(author_id, media_ids, "media_ids") if media_ids else []
    post = Post(
        new_id(),
        author_id=author_id,
        author_username=author.username,
        content=content,
        image_url=photos[0].url if photos else image_url,
        media=[MediaItem.of(photo) for photo in photos],
        hashtags=hashtags_in(content),
        like_count=0,
        comment_count=0,
        created_at=now_iso(),
    )
    writes.put(post, condition=Post.post_id.does_not_exist())
    # The author sees their own post in their feed at once, without waiting
    # for the feed consumer.
    writes.put(FeedEntry.entry(owner_id=author_id, item_id=post.post_id, author_id=author_id))
    writes.update(User(author_id), [User.post_count.add(1)], condition=User.user_id.exists(),
                  otherwise=Unauthorized(NO_SUCH_USER))
    claim(writes, photos, f"post:{post.post_id}", "media_ids")
    writes.publish(events.PostCreated(post_id=post.post_id, author_id=author_id, media_ids=list(media_ids),
                                      hashtags=list(post.hashtags), mentions=sorted(mentioned)))
    return post


@command("delete the post")
def delete_post(writes: Writes, user_id: int, post_id: int) -> None:
    post = _post(post_id, consistent=True)
    if post.author_id != user_id:
        raise Forbidden("Not your post")
    writes.delete(post, condition=Post.author_id == user_id)
    writes.update(User(user_id), [User.post_count.add(-1)], condition=User.user_id.exists(),
                  otherwise=Unauthorized(NO_SUCH_USER))
    writes.publish(events.PostDeleted(post_id=post_id, author_id=user_id, hashtags=list(post.hashtags or []),
                                      media_ids=[item.media_id for item in post.media or []]))


@command("update the like")
def toggle_like(writes: Writes, user_id: int, post_id: int) -> tuple[bool, int]:
    """Likes the post, or unlikes it if already liked. Returns (liked,
    like_count). A toggle that loses a race with another toggle of the same
    user reads again and decides again."""
    post = require_post_visible(_post(post_id, consistent=True), user_id)
    like = stored_now(Like, post_id, user_id)
    liked = like is None
    if liked:
        like = Like(post_id, user_id, like_id=new_id())
        writes.put(like, condition=Like.user_id.does_not_exist())
    else:
        # Only this very like: one made after a concurrent unlike is not ours to remove.
        writes.delete(like, condition=Like.like_id == like.like_id)
    writes.update(Post(post_id), [Post.like_count.add(1 if liked else -1)], condition=Post.post_id.exists(),
                  otherwise=NotFound("Post not found"))
    # The viewer's mark follows the like, for liked_by_me.
    writes.update(Mark(user_id, post_id), [Mark.like_id.set(like.like_id) if liked else Mark.like_id.remove()])
    event = events.PostLiked if liked else events.PostUnliked
    writes.publish(event(post_id=post_id, post_author_id=post.author_id, user_id=user_id, like_id=like.like_id))
    # Other users' likes committed since our read are not counted here; the
    # stored counter itself is exact.
    return liked, max(post.like_count + (1 if liked else -1), 0)


@command("remove the like")
def remove_like(writes: Writes, user_id: int, post_id: int) -> None:
    """Takes the user's like back whoever may see the post now, for the
    erasure of a deleted account (toggle_like asks that the post be
    visible, and likes what is not liked: a redelivered chunk would like
    again). NotFound when there is no like, or its post is gone (its
    like_count with it)."""
    like = stored_now(Like, post_id, user_id)
    post = stored_now(Post, post_id)
    if like is None or post is None:
        raise NotFound("Like not found")
    writes.delete(like, condition=Like.like_id == like.like_id)
    # The post deleted meanwhile: read again, and find nothing to count.
    writes.update(Post(post_id), [Post.like_count.add(-1)], condition=Post.post_id.exists())
    # Only an existing mark: an update would otherwise create a bare one.
    writes.update(Mark(user_id, post_id), [Mark.like_id.remove()], condition=Mark.user_id.exists(), otherwise=SKIP)
    writes.publish(events.PostUnliked(post_id=post_id, post_author_id=post.author_id, user_id=user_id,
                                      like_id=like.like_id))


@command("save the post")
def save_post(writes: Writes, user_id: int, post_id: int) -> None:
    """Saving a saved post changes nothing: it keeps its place in the list."""
    require_post_visible(_post(post_id), user_id)
    writes.check(Post, post_id, condition=Post.post_id.exists(), otherwise=NotFound("Post not found"))
    saved_id = new_id()
    writes.update(Mark(user_id, post_id), [Mark.saved_id.set(saved_id)], condition=Mark.saved_id.does_not_exist(),
                  otherwise=NOTHING_TO_DO)
    writes.publish(events.PostSaved(post_id=post_id, user_id=user_id, saved_id=saved_id))


@command("unsave the post")
def unsave_post(writes: Writes, user_id: int, post_id: int) -> None:
    """Unsaving a post that is not saved (or no longer exists) changes nothing."""
    writes.update(Mark(user_id, post_id), [Mark.saved_id.remove()], condition=Mark.saved_id.exists(),
                  otherwise=NOTHING_TO_DO)
    writes.publish(events.PostUnsaved(post_id=post_id, user_id=user_id))


@command("add the comment")
def add_comment(writes: Writes, author: User, post_id: int, content: str, parent_id: int | None = None) -> Comment:
    """author: the authenticated caller, as read with their token. With
    parent_id, a reply: to that comment's top-level comment (one level)."""
    require_no_blocker_mentioned(author.user_id, mentions_in(content))  # as in create_post
    post = require_post_visible(_post(post_id), author.user_id)
    comment = Comment(new_id(), author_id=author.user_id, author_username=author.username, content=content,
                      created_at=now_iso())
    if parent_id is None:
        comment.post_id = post_id
    else:
        parent = stored_now(Comment, parent_id)
        if parent is None or parent.on_post != post_id:
            raise NotFound("Comment not found")
        comment.parent_id = parent.parent_id or parent_id
        comment.reply_post_id = post_id
        # Its reply_count changes with the reply: exact, and no reply to a comment deleted meanwhile.
        writes.update(Comment(comment.parent_id), [Comment.reply_count.add(1)],
                      condition=Comment.comment_id.exists(), otherwise=NotFound("Comment not found"))
    writes.put(comment, condition=Comment.comment_id.does_not_exist())
    writes.update(Post(post_id), [Post.comment_count.add(1)], condition=Post.post_id.exists(),
                  otherwise=NotFound("Post not found"))
    writes.publish(events.CommentAdded(comment_id=comment.comment_id, post_id=post_id,
                                       post_author_id=post.author_id, author_id=author.user_id))
    return comment


@command("delete the comment")
def delete_comment(writes: Writes, user_id: int, comment_id: int) -> None:
    """The comment's author, or the author of the post it is on, may delete
    it. A top-level comment takes its replies with it: the post's count
    drops by all of them in this transaction (valid only while reply_count
    is what was read), and a consumer deletes the replies themselves."""
    comment = stored_now(Comment, comment_id)
    if comment is None:
        raise NotFound("Comment not found")
    post = stored_now(Post, comment.on_post)
    if user_id != comment.author_id and (post is None or post.author_id != user_id):
        raise Forbidden("Not your comment")
    if comment.parent_id is None:
        unchanged = Comment.reply_count == comment.reply_count
        if comment.reply_count == 0:  # comments from before replies carry no reply_count
            unchanged |= Comment.reply_count.does_not_exist() & Comment.comment_id.exists()
        writes.delete(comment, condition=unchanged)
        counted = 1 + comment.reply_count
    else:
        writes.delete(comment, condition=Comment.comment_id.exists(), otherwise=NotFound("Comment not found"))
        # Its parent gone, the reply went with it (and out of the count).
        writes.update(Comment(comment.parent_id), [Comment.reply_count.add(-1)],
                      condition=Comment.comment_id.exists(), otherwise=NotFound("Comment not found"))
        counted = 1
    if post is not None:
        # A failure means the post was deleted meanwhile: its count no longer matters.
        writes.update(Post(post.post_id), [Post.comment_count.add(-counted)], condition=Post.post_id.exists())
    writes.publish(events.CommentDeleted(comment_id=comment_id, post_id=comment.on_post, author_id=comment.author_id))


def _post(post_id: int, consistent: bool = False) -> Post:
    try:
        return Post.get(post_id, consistent_read=consistent)
    except Post.DoesNotExist:
        raise NotFound("Post not found") from None
