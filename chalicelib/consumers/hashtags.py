"""Hashtags consumer: indexes a post under each of its tags on post.created,
and unindexes it on post.deleted; keeps each tag's count of posts visible to
everyone (Hashtag.public_count), which hashtag search needs above zero.

It reads the post as stored now rather than trusting the event, so a late
post.created for a post already deleted indexes nothing, and a redelivered
event writes the same items again (one effect).

A post is in its tag's count while its author is public (HashtagPost.counted,
changed in the same transaction as the count, so that counting twice is
counting once). When an account goes private or public, its posts are
recounted newest first, RECOUNT_CHUNK of them per invocation, each
invocation publishing a continuation for the rest (as the feed's fan-out
does), so no invocation's work grows with the number of posts.
"""
from __future__ import annotations

from pynamodb.exceptions import PutError

from chalicelib.batches import batch_write
from chalicelib.consumers.batch import OnlyCarrying
from chalicelib.events import Event, HashtagRecountContinued, PostCreated, PostDeleted, UserUpdated
from chalicelib.ids import new_id
from chalicelib.models import Hashtag, HashtagPost, Post, User
from chalicelib.models.base import condition_failed, stored_now
from chalicelib.publisher import publish
from chalicelib.queries.loading import fetch_many
from chalicelib.writes import NOTHING_TO_DO, Writes, command

RECOUNT_CHUNK = 25


def index_post(event: Event[PostCreated]) -> None:
    post_id = event.payload.post_id
    post = stored_now(Post, post_id)
    if post is None or not post.hashtags:
        return
    tags = list(post.hashtags)
    _name_tags(tags)
    public = _is_public(post.author_id)
    for tag in tags:
        _enter(tag, post_id, public)
    # If the account's privacy changed while we wrote, its recount may have
    # passed this post before our entries existed: count by what holds now.
    if _is_public(post.author_id) != public:
        _recount([(tag, post_id) for tag in tags], not public)
    # If the post was deleted while we wrote, its post.deleted may already
    # have been handled before our entries existed: remove them ourselves.
    if stored_now(Post, post_id) is None:
        _unindex(post_id, tags)


def unindex_post(event: Event[PostDeleted]) -> None:
    _unindex(event.payload.post_id, event.payload.hashtags)


def recount_account(event: Event[UserUpdated] | Event[HashtagRecountContinued]) -> None:
    """The next RECOUNT_CHUNK posts of an account whose privacy changed,
    counted by its privacy as stored now (a walk that meets a later change
    follows it; the later change's own walk covers what this one passed)."""
    payload = event.payload
    if isinstance(payload, UserUpdated) and not payload.privacy_changed:
        return
    user = stored_now(User, payload.user_id)
    if user is None:
        return
    after = payload.after_post_id if isinstance(payload, HashtagRecountContinued) else None
    posts = list(Post.by_author.query(payload.user_id, Post.post_id < after if after else None,
                                      scan_index_forward=False, limit=RECOUNT_CHUNK))
    _recount([(tag, post.post_id) for post in posts for tag in post.hashtags], not user.is_private)
    if len(posts) == RECOUNT_CHUNK:
        publish(Event(HashtagRecountContinued(user_id=payload.user_id, after_post_id=posts[-1].post_id)))


def _is_public(user_id: int) -> bool:
    user = stored_now(User, user_id)
    return user is not None and not user.is_private


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


def _enter(tag: str, post_id: int, public: bool) -> None:
    """The post's entry under tag, counted if its author is public. Never a
    PutItem: a redelivery must not wipe out `counted` under a count."""
    if public:
        _count(tag, post_id, 1, create=True)
        return
    entry = HashtagPost(tag, post_id)
    entry.update(actions=[HashtagPost.counted.set(HashtagPost.counted | False)])
    if entry.counted:  # counted by an earlier delivery, while the author was public
        _count(tag, post_id, -1)


def _recount(keys: list[tuple[str, int]], public: bool) -> None:
    """The existing entries among keys, counted or not as public says: one
    consistent BatchGetItem, then a transaction for each that changes."""
    for (tag, post_id), entry in fetch_many(HashtagPost, keys, consistent_read=True).items():
        if bool(entry.counted) != public:
            _count(tag, post_id, 1 if public else -1)


@command("count a post under its tag")
def _count(writes: Writes, tag: str, post_id: int, step: int, create: bool = False) -> None:
    counted = HashtagPost.counted
    if step > 0:
        condition = (counted == False) | counted.does_not_exist() if create else counted == False  # noqa: E712
        writes.update(HashtagPost(tag, post_id), [counted.set(True)], condition=condition, otherwise=NOTHING_TO_DO)
    else:
        writes.update(HashtagPost(tag, post_id), [counted.set(False)], condition=counted == True,  # noqa: E712
                      otherwise=NOTHING_TO_DO)
    writes.update(Hashtag(Hashtag.bucket_for(tag), tag), [Hashtag.public_count.add(step)])


def _unindex(post_id: int, tags: list[str]) -> None:
    _recount([(tag, post_id) for tag in tags], public=False)
    with batch_write(HashtagPost) as batch:
        for tag in tags:
            batch.delete(HashtagPost(tag, post_id))


HANDLERS = {
    PostCreated: OnlyCarrying("hashtags", index_post),
    PostDeleted: OnlyCarrying("hashtags", unindex_post),
    UserUpdated: recount_account,
    HashtagRecountContinued: recount_account,
}
