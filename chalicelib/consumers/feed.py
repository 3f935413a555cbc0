"""Feed consumer: fan-out on write into each follower's timelines (posts in
`feed`, stories in `story-feed`), backfill on follow (or an approved
request), removal on unfollow, on a block (both ways) and on deletion.

An account with more than FEED_LARGE_ACCOUNT followers (10,000) is not
fanned out: the consumer marks it large when it grows past the line (and
not large below nine tenths of it) and walks its followers, putting the
account in (or out of) each one's large follows, which a feed read merges
in (queries/feed.py).

A feed keeps its newest FEED_TIMELINE_CAP entries (800): about one entry in
FEED_TRIM_EVERY (50) written to a timeline, and every backfill, trims it.

A fan-out, or the removal of a deleted item, walks the author's followers a
chunk at a time (FEED_FANOUT_CHUNK, default 1,000): each invocation writes
one chunk, then publishes feed.fanout_continued (or, for the walk of an
account that grew large or shrank, feed.large_account_walk_continued) with
the position reached,
so no invocation's work grows with the number of followers. Removal walks
the followers too, rather than an index keyed by the item, which would be
one hot partition for a popular post.

Every entry's key is (owner, item), so writing or deleting it twice is the
same as once: a chunk redone after a crash changes nothing. Each chunk
first looks at the current state (the post, story or follow as stored now)
rather than trusting the event, so a late or reordered event cannot
resurrect what was undone.
"""
from __future__ import annotations

from typing import Callable, Iterable, Optional

from pynamodb.exceptions import UpdateError

from chalicelib.batches import batch_write
from chalicelib.config import feed_fanout_chunk, feed_large_account, feed_timeline_cap, feed_trim_every
from chalicelib.events import (
    Event,
    FanOutContinued,
    FollowApproved,
    LargeAccountWalkContinued,
    Payload,
    PostCreated,
    PostDeleted,
    StoryCreated,
    StoryDeleted,
    UserBlocked,
    UserFollowed,
    UserUnfollowed,
)
from chalicelib.models import FeedEntry, Follow, LargeFollow, Post, Story, StoryFeedEntry, User
from chalicelib.models.base import condition_failed, stored_now
from chalicelib.models.stories import oldest_active_id
from chalicelib.models.timelines import owner_author_key
from chalicelib.publisher import publish
from chalicelib.queries.loading import fetch_many

# A new follower sees this many of the followee's latest posts at once; older
# ones are on the followee's profile.
BACKFILL_POSTS = 50

# Entries over the cap one trim deletes at most; a timeline grows by about
# FEED_TRIM_EVERY between two trims, so this keeps up.
TRIM_AT_ONCE = 200

# When an account shrinks below the large-account line, its followers'
# timelines get this many of its newest posts, which were merged in until then.
BACKFILL_AFTER_SHRINKING = 10

POST, STORY = "post", "story"
_ACCOUNT_BEFORE_THE_SPLIT = "account"  # TODO: remove once no such event can be queued
ADD, REMOVE = "add", "remove"  # an item into or out of timelines
ENLIST, DELIST = "enlist", "delist"  # an account into or out of large follows
_TIMELINES = {POST: (Post, FeedEntry), STORY: (Story, StoryFeedEntry)}


def add_post(event: Event[PostCreated]) -> None:
    _item_chunk(POST, ADD, event.payload.post_id, event.payload.author_id)


def remove_post(event: Event[PostDeleted]) -> None:
    _item_chunk(POST, REMOVE, event.payload.post_id, event.payload.author_id)


def add_story(event: Event[StoryCreated]) -> None:
    _item_chunk(STORY, ADD, event.payload.story_id, event.payload.author_id)


def remove_story(event: Event[StoryDeleted]) -> None:
    _item_chunk(STORY, REMOVE, event.payload.story_id, event.payload.author_id)


def continue_fan_out(event: Event[FanOutContinued]) -> None:
    reached = event.payload
    after = (reached.after_follower_id, reached.after_follow_id)
    if reached.item_type == _ACCOUNT_BEFORE_THE_SPLIT:
        # Published before large-account walks had their own event, and
        # still queued while the split deploys: the walk goes on.
        return _size_chunk(reached.action, reached.author_id, after)
    _item_chunk(reached.item_type, reached.action, reached.item_id, reached.author_id, after)


def continue_large_account_walk(event: Event[LargeAccountWalkContinued]) -> None:
    reached = event.payload
    _size_chunk(reached.action, reached.author_id, (reached.after_follower_id, reached.after_follow_id))


def _item_chunk(item_type: str, action: str, item_id: int, author_id: int,
                after: Optional[tuple[int, int]] = None) -> None:
    """The item into (or out of) the timelines of the next chunk of the
    author's followers (the author's own too, in the first chunk). A large
    account's posts are not fanned out (feeds merge them in on read), so
    there is nothing to remove but its own entry: one in a follower's feed
    from before it grew is skipped on read once its post is gone, and
    trimmed in time."""
    model, timeline = _TIMELINES[item_type]
    item = stored_now(model, item_id)
    if action == ADD and (item is None or (item_type == STORY and item_id < oldest_active_id())):
        return  # deleted (its removal cleans up) or expired meanwhile
    if action == REMOVE and item is not None:
        return  # not deleted: nothing to remove
    if item_type == POST and _is_large(author_id):
        if action == REMOVE:
            FeedEntry(author_id, item_id).delete()  # its own, which the command wrote
        return
    extra = {"expires_at": item.expires_at} if action == ADD and item_type == STORY else {}

    def chunk(owners: list[int]) -> None:
        owners = owners + ([] if after else [author_id])
        with batch_write(timeline) as batch:
            for owner_id in owners:
                if action == ADD:
                    batch.save(timeline.entry(owner_id, item_id, author_id, **extra))
                else:
                    batch.delete(timeline(owner_id, item_id))
        if action == ADD:
            _take_back_from_unfollowed(timeline, item_id, author_id, owners)
        if action == ADD and timeline is FeedEntry:
            every = feed_trim_every()
            for owner_id in owners:
                # About one entry in `every` a timeline receives checks it:
                # the choice is by ids, so a redone chunk checks the same ones.
                if (owner_id + item_id) % every == 0:
                    trim(owner_id)

    def continuation(follower_id: int, follow_id: int) -> FanOutContinued:
        return FanOutContinued(item_type=item_type, action=action, item_id=item_id, author_id=author_id,
                               after_follower_id=follower_id, after_follow_id=follow_id)

    _walk_followers(author_id, after, chunk, continuation)


def _take_back_from_unfollowed(timeline, item_id: int, author_id: int, owners: list[int]) -> None:
    """Closes the window between reading the followers (an index, eventually
    consistent) and writing their entries: a follower removed meanwhile,
    whose unfollow (or block) may already have been cleaned up before this
    entry landed, would keep a private account's item. So for a private
    author the follows are read again, strongly, after the write, and the
    entries of those that ended are deleted; an unfollow after this read is
    cleaned up by its own event, which comes after the write. A public
    author's items are anyone's to see: a stale entry there is trimmed in time."""
    author = stored_now(User, author_id)
    followers = [owner_id for owner_id in owners if owner_id != author_id]
    if author is None or not author.is_private or not followers:
        return
    following = fetch_many(Follow, [(owner_id, author_id) for owner_id in followers], consistent_read=True)
    ended = [owner_id for owner_id in followers if (owner_id, author_id) not in following]
    with batch_write(timeline) as batch:
        for owner_id in ended:
            batch.delete(timeline(owner_id, item_id))


def _size_chunk(action: str, author_id: int, after: Optional[tuple[int, int]] = None) -> None:
    """An account that grew large (ENLIST) goes into the next chunk of its
    followers' large follows, whose feeds merge its posts in from now on;
    one that shrank (DELIST) leaves them, and its newest posts go into their
    timelines. A chunk that finds the account changed back stops."""
    author = stored_now(User, author_id)
    if author is None or author.is_large != (action == ENLIST):
        return
    recent = [] if action == ENLIST else list(
        Post.by_author.query(author_id, scan_index_forward=False, limit=BACKFILL_AFTER_SHRINKING))

    def chunk(followers: list[int]) -> None:
        with batch_write(LargeFollow) as batch:
            for follower_id in followers:
                if action == ENLIST:
                    batch.save(LargeFollow(follower_id, author_id))
                else:
                    batch.delete(LargeFollow(follower_id, author_id))
        with batch_write(FeedEntry) as batch:
            for follower_id in followers:
                for post in recent:
                    batch.save(FeedEntry.entry(follower_id, post.post_id, author_id))

    def continuation(follower_id: int, follow_id: int) -> LargeAccountWalkContinued:
        return LargeAccountWalkContinued(action=action, author_id=author_id, after_follower_id=follower_id,
                                         after_follow_id=follow_id)

    _walk_followers(author_id, after, chunk, continuation)


def _walk_followers(author_id: int, after: Optional[tuple[int, int]], chunk,
                    continuation: Callable[[int, int], Payload]) -> None:
    """chunk(follower ids) for the next FEED_FANOUT_CHUNK of the author's
    followers after `after`; then, if the chunk was full, the continuation
    event for the rest, from the last follower reached."""
    size = feed_fanout_chunk()
    start = {"last_evaluated_key": _followers_key(author_id, *after)} if after else {}
    follows = list(Follow.followers.query(author_id, limit=size, **start))
    chunk([follow.follower_id for follow in follows])
    if len(follows) == size:
        last = follows[-1]
        publish(Event(continuation(last.follower_id, last.follow_id)))


def trim(owner_id: int) -> None:
    """Deletes the entries of owner_id's feed beyond its newest
    FEED_TIMELINE_CAP, at most TRIM_AT_ONCE of them: one Query, one
    BatchWrite per 25. Posts leave only the feed: their authors' profiles
    still show them."""
    cap = feed_timeline_cap()
    entries = FeedEntry.query(owner_id, scan_index_forward=False, limit=cap + TRIM_AT_ONCE)
    with batch_write(FeedEntry) as batch:
        for position, entry in enumerate(entries):
            if position >= cap:
                batch.delete(FeedEntry(owner_id, entry.item_id))


def _followers_key(author_id: int, follower_id: int, follow_id: int) -> dict:
    """Where a Query of the author's followers resumes: the follow's table
    key and its key in the index."""
    return {"follower_id": {"N": str(follower_id)}, "followee_id": {"N": str(author_id)},
            "follow_id": {"N": str(follow_id)}}


def _is_large(user_id: int) -> bool:
    user = stored_now(User, user_id)
    return user is not None and user.is_large


def settle_size(user_id: int) -> bool:
    """Marks an account large when its followers pass FEED_LARGE_ACCOUNT,
    and not large below nine tenths of it (so that one follow back and
    forth at the line does not flip it each time), then walks its
    followers. The conditional update makes exactly one event start a walk.
    Returns whether the account is large now."""
    user = stored_now(User, user_id)
    if user is None:
        return False
    threshold = feed_large_account()
    if not user.is_large and user.follower_count > threshold:
        grown, action = True, ENLIST
    elif user.is_large and user.follower_count < threshold * 9 // 10:
        grown, action = False, DELIST
    else:
        return user.is_large
    try:
        was = (User.is_large.does_not_exist() | (User.is_large == False)) if grown else (  # noqa: E712
            User.is_large == True)  # noqa: E712
        user.update(actions=[User.is_large.set(grown)], condition=was)
    except UpdateError as error:
        if condition_failed(error):
            return grown  # another event settled it so first
        raise
    _size_chunk(action, user_id)
    return grown


def backfill(event: Event[UserFollowed] | Event[FollowApproved]) -> None:
    """A new follower's feed gets the followee's latest posts; or, for a large
    account, the follow goes into the large follows its feed merges."""
    follower_id, followee_id = event.payload.follower_id, event.payload.followee_id
    if stored_now(Follow, follower_id, followee_id) is None:
        return
    if settle_size(followee_id):
        LargeFollow(follower_id, followee_id).save()
    else:
        posts = Post.by_author.query(followee_id, scan_index_forward=False, limit=BACKFILL_POSTS)
        with batch_write(FeedEntry) as batch:
            for post in posts:
                batch.save(FeedEntry.entry(follower_id, post.post_id, followee_id))
        trim(follower_id)
    stories = Story.by_author.query(followee_id, Story.story_id >= oldest_active_id())
    with batch_write(StoryFeedEntry) as batch:
        for story in stories:
            batch.save(StoryFeedEntry.entry(follower_id, story.story_id, followee_id, expires_at=story.expires_at))


def drop_followee(event: Event[UserUnfollowed]) -> None:
    _drop(event.payload.follower_id, event.payload.followee_id)
    settle_size(event.payload.followee_id)


def drop_both_ways(event: Event[UserBlocked]) -> None:
    """The block ended the follows both ways in its transaction; this takes
    each one's posts and stories out of the other's timelines."""
    blocker_id, blocked_id = event.payload.blocker_id, event.payload.blocked_id
    _drop(blocker_id, blocked_id)
    _drop(blocked_id, blocker_id)
    settle_size(blocker_id)
    settle_size(blocked_id)


def _drop(owner_id: int, author_id: int) -> None:
    if stored_now(Follow, owner_id, author_id) is not None:
        return  # followed again since: the entries belong
    LargeFollow(owner_id, author_id).delete()
    key = owner_author_key(owner_id, author_id)
    _remove(FeedEntry, FeedEntry.by_owner_author.query(key))
    _remove(StoryFeedEntry, StoryFeedEntry.by_owner_author.query(key))


def _remove(timeline, entries: Iterable) -> None:
    with batch_write(timeline) as batch:
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
    FanOutContinued: continue_fan_out,
    LargeAccountWalkContinued: continue_large_account_walk,
}
