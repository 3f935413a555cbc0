"""Hashtags consumer: indexes a post under each of its tags on post.created,
and unindexes it on post.deleted.

It reads the post as stored now rather than trusting the event, so a late
post.created for a post already deleted indexes nothing, and a redelivered
event writes the same items again (one effect).
"""
from __future__ import annotations

from pynamodb.exceptions import PutError

from chalicelib.batches import batch_write
from chalicelib.consumers.batch import OnlyCarrying
from chalicelib.events import Event, PostCreated, PostDeleted
from chalicelib.ids import new_id
from chalicelib.models import Hashtag, HashtagPost, Post
from chalicelib.models.base import condition_failed, stored_now
from chalicelib.queries.loading import fetch_many


def index_post(event: Event[PostCreated]) -> None:
    post_id = event.payload.post_id
    post = stored_now(Post, post_id)
    if post is None or not post.hashtags:
        return
    tags = list(post.hashtags)
    _name_tags(tags)
    with batch_write(HashtagPost) as batch:
        for tag in tags:
            batch.save(HashtagPost(tag, post_id))
    # If the post was deleted while we wrote, its post.deleted may already
    # have been handled before our entries existed: remove them ourselves.
    if stored_now(Post, post_id) is None:
        _unindex(post_id, tags)


def unindex_post(event: Event[PostDeleted]) -> None:
    _unindex(event.payload.post_id, event.payload.hashtags)


def _name_tags(tags: list[str]) -> None:
    """Makes each tag searchable. A tag keeps the id it got when first used."""
    known = fetch_many(Hashtag, [(Hashtag.bucket_for(tag), tag) for tag in tags])
    for tag in tags:
        if (Hashtag.bucket_for(tag), tag) in known:
            continue
        try:
            Hashtag(Hashtag.bucket_for(tag), tag, hashtag_id=new_id()).save(condition=Hashtag.name.does_not_exist())
        except PutError as error:
            if not condition_failed(error):
                raise
            # Another post named it first: its id stands.


def _unindex(post_id: int, tags: list[str]) -> None:
    with batch_write(HashtagPost) as batch:
        for tag in tags:
            batch.delete(HashtagPost(tag, post_id))


HANDLERS = {
    PostCreated: OnlyCarrying("hashtags", index_post),
    PostDeleted: OnlyCarrying("hashtags", unindex_post),
}
