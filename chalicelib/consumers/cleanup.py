"""Cleanup consumer: what goes with a deleted post or comment.

- A deleted post takes its viewers' marks (liked and saved flags), so that
  nobody's saved posts keep it in storage.
- A deleted top-level comment takes its replies. The post's comment_count
  already dropped by all of them in the deletion's transaction; this only
  removes the items.

Deleting an item twice is the same as once, so a redelivered event is
harmless. What was written just before the deletion committed is found:
this runs after the commit, and a save or a reply checks in its own
transaction that the post or comment still exists.
"""
from __future__ import annotations

from chalicelib.batches import batch_write
from chalicelib.events import CommentDeleted, Event, PostDeleted
from chalicelib.models import Comment, Mark


def forget_post(event: Event[PostDeleted]) -> None:
    post_id = event.payload.post_id
    with batch_write(Mark) as batch:
        for mark in Mark.by_post.query(post_id):
            batch.delete(Mark(mark.user_id, post_id))


def delete_replies(event: Event[CommentDeleted]) -> None:
    with batch_write(Comment) as batch:
        for reply in Comment.replies.query(event.payload.comment_id):
            batch.delete(Comment(reply.comment_id))


HANDLERS = {
    PostDeleted: forget_post,
    CommentDeleted: delete_replies,
}
