"""Marks consumer: a deleted post takes its viewers' marks (liked and saved
flags) with it, so that nobody's saved posts keep it in storage.

Deleting a mark twice is the same as once, so a redelivered event is
harmless. A mark written just before the deletion committed is found too:
this runs after the commit, and a save's transaction checks that the post
exists.
"""
from __future__ import annotations

from chalicelib.events import Event, PostDeleted
from chalicelib.models import Mark


def forget_post(event: Event[PostDeleted]) -> None:
    post_id = event.payload.post_id
    with Mark.batch_write() as batch:
        for mark in Mark.by_post.query(post_id):
            batch.delete(Mark(mark.user_id, post_id))


HANDLERS = {
    PostDeleted: forget_post,
}
