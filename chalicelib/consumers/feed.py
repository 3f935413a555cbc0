"""Feed consumer: fan-out on write into each follower's timelines (posts in
`feed`, stories in `story-feed`), backfill on follow (or an approved
request), removal on unfollow, on a block (both ways)
and on deletion.

Every entry's key is (owner, item), so writing or deleting it twice is the
same as once. Each handler first looks at the current state (the post,
story or follow as stored now) rather than trusting the event, so a late or
reordered event cannot resurrect what was undone.
"""
from __future__ import annotations

from typing import Iterable

from chalicelib.events import (
    Event,
    FollowApproved,
    PostCreated,
    PostDeleted,
    StoryCreated,
    StoryDeleted,
    UserBlocked,
    UserFollowed,
    UserUnfollowed,
)
from chalicelib.models import FeedEntry, Follow, Post, Story, StoryFeedEntry
from chalicelib.models.base import stored_now
from chalicelib.models.stories import oldest_active_id
from chalicelib.models.timelines import owner_author_key

# A new follower sees this many of the followee's latest posts at once; older
# ones are on the followee's profile.
BACKFILL_POSTS = 50


def add_post(event: Event[PostCreated]) -> None:
    post = stored_now(Post, event.payload.post_id)
    if post is None:
        return
    _fan_out(FeedEntry, post.post_id, post.author_id)


def remove_post(event: Event[PostDeleted]) -> None:
    post_id = event.payload.post_id
    if stored_now(Post, post_id) is None:
        _remove(FeedEntry, FeedEntry.by_item.query(post_id))


def add_story(event: Event[StoryCreated]) -> None:
    story = stored_now(Story, event.payload.story_id)
    if story is None or story.story_id < oldest_active_id():
        return
    _fan_out(StoryFeedEntry, story.story_id, story.author_id, expires_at=story.expires_at)


def remove_story(event: Event[StoryDeleted]) -> None:
    story_id = event.payload.story_id
    if stored_now(Story, story_id) is None:
        _remove(StoryFeedEntry, StoryFeedEntry.by_item.query(story_id))


def backfill(event: Event[UserFollowed] | Event[FollowApproved]) -> None:
    follower_id, followee_id = event.payload.follower_id, event.payload.followee_id
    if stored_now(Follow, follower_id, followee_id) is None:
        return
    posts = Post.by_author.query(followee_id, scan_index_forward=False, limit=BACKFILL_POSTS)
    with FeedEntry.batch_write() as batch:
        for post in posts:
            batch.save(FeedEntry.entry(follower_id, post.post_id, followee_id))
    stories = Story.by_author.query(followee_id, Story.story_id >= oldest_active_id())
    with StoryFeedEntry.batch_write() as batch:
        for story in stories:
            batch.save(StoryFeedEntry.entry(follower_id, story.story_id, followee_id, expires_at=story.expires_at))


def drop_followee(event: Event[UserUnfollowed]) -> None:
    _drop(event.payload.follower_id, event.payload.followee_id)


def drop_both_ways(event: Event[UserBlocked]) -> None:
    """The block ended the follows both ways in its transaction; this takes
    each one's posts and stories out of the other's timelines."""
    blocker_id, blocked_id = event.payload.blocker_id, event.payload.blocked_id
    _drop(blocker_id, blocked_id)
    _drop(blocked_id, blocker_id)


def _drop(owner_id: int, author_id: int) -> None:
    if stored_now(Follow, owner_id, author_id) is not None:
        return  # followed again since: the entries belong
    key = owner_author_key(owner_id, author_id)
    _remove(FeedEntry, FeedEntry.by_owner_author.query(key))
    _remove(StoryFeedEntry, StoryFeedEntry.by_owner_author.query(key))


def _fan_out(timeline, item_id: int, author_id: int, **extra) -> None:
    """The item into the author's timeline and every follower's, streaming
    the followers page by page so memory stays flat however many there are."""
    with timeline.batch_write() as batch:
        batch.save(timeline.entry(author_id, item_id, author_id, **extra))
        for follow in Follow.followers.query(author_id):
            batch.save(timeline.entry(follow.follower_id, item_id, author_id, **extra))


def _remove(timeline, entries: Iterable) -> None:
    with timeline.batch_write() as batch:
        for entry in entries:
            batch.delete(timeline(entry.owner_id, entry.item_id))


HANDLERS = {
    PostCreated: add_post,
    PostDeleted: remove_post,
    UserFollowed: backfill,
    FollowApproved: backfill,
    UserUnfollowed: drop_followee,
    UserBlocked: drop_both_ways,
    StoryCreated: add_story,
    StoryDeleted: remove_story,
}
