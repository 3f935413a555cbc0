"""Erasure consumer: everything a deleted account owns, or left in others'
data, goes, a bounded chunk at a time.

DELETE /api/users/me has already made the user item a tombstone
(is_active False: counters that late events still ADD to land there
harmlessly) and freed its username and email, then published
user.deleted. From it this consumer walks STEPS in order; each step is
one Query of the account's items of one kind, from the position reached
(`after`, a sort key of that Query), at most ERASURE_CHUNK of them when
each is undone by a command (a transaction each) and ERASURE_BATCH_CHUNK
when they are deleted outright in batches. An invocation undoes at most
one chunk, then publishes user.erasure_continued naming the step and the
position for the rest (or the next step), like the feed's fan-out: no
invocation's work grows with the account. Steps that find nothing are
passed within the same invocation (a Query each).

Wherever a command exists the erasure is that command, in its own
transaction, so its counters and its event's consumers stay the ones that
do it: delete_post (whose post.deleted takes the post out of feeds,
hashtags and storage, and its viewers' marks), delete_comment,
remove_like, unsave_post, unfollow (both ways), decline (requests both
ways), unblock (both ways), delete_story. What no command covers is
deleted here: notifications it received and caused (read or unread: the
`by-actor` index finds those whose cause was undone long ago too), its
conversations (the other side's stays: docs/accounts.md), read marks,
large follows, its own timelines, exports and their archives, mailed
tokens. Search entries, the profile photo and open WebSockets are the
search, media and push consumers' (they handle user.deleted too).

Idempotent and resumable: a command whose item is already gone answers
NotFound or Conflict, which means "done"; a batch delete of deleted keys
deletes nothing; a replayed user.deleted walks again and finds nothing
left. A chunk that fails raises, so its message is retried and, at last,
dead-lettered, like every consumer's.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

from pynamodb.exceptions import DeleteError

from chalicelib import media_files
from chalicelib.batches import batch_write
from chalicelib.commands import blocks, follows, posts, stories
from chalicelib.config import erasure_batch_chunk, erasure_chunk
from chalicelib.consumers.notifications import FOLLOW, FOLLOW_REQUEST
from chalicelib.errors import Conflict, NotFound
from chalicelib.events import ErasureContinued, Event, UserDeleted
from chalicelib.models import (
    AccountToken,
    Block,
    Comment,
    Conversation,
    Export,
    FeedEntry,
    Follow,
    FollowRequest,
    LargeFollow,
    Mark,
    Notification,
    Post,
    ReadMark,
    Story,
    StoryFeedEntry,
    User,
)
from chalicelib.models.base import condition_failed, stored_now
from chalicelib.models.notifications import NotificationKey
from chalicelib.models.stories import oldest_active_id
from chalicelib.publisher import publish

# A step's kind: how many items one invocation takes on.
COMMANDS, BATCH = "commands", "batch"


class Step(NamedTuple):
    name: str
    kind: str
    # (user_id, after, limit) -> the positions of the items it handled, in
    # order: a full chunk continues after the last one. Steps whose Query
    # has no numeric sort key, or deletes what it reads, answer 0s: they
    # start again from the beginning of what is left.
    run: Callable[[int, int, int], list[int]]


def _done_already(command, *args) -> None:
    """A command whose item is gone (a redone chunk, or someone else undid
    it meanwhile): nothing left to do."""
    try:
        command(*args)
    except (NotFound, Conflict):
        pass


def _posts(user_id: int, after: int, limit: int) -> list[int]:
    found = list(Post.by_author.query(user_id, Post.post_id > after, limit=limit))
    for post in found:
        _done_already(posts.delete_post, user_id, post.post_id)
    return [post.post_id for post in found]


def _comments(user_id: int, after: int, limit: int) -> list[int]:
    """Its comments and replies. A top-level one takes others' replies to
    it (and the post's count of them); a reply whose comment went first is
    deleted by that comment's cleanup."""
    found = list(Comment.by_author.query(user_id, Comment.comment_id > after, limit=limit))
    for comment in found:
        _done_already(posts.delete_comment, user_id, comment.comment_id)
    return [comment.comment_id for comment in found]


def _marks(user_id: int, after: int, limit: int) -> list[int]:
    """Its likes (others' like_count drops) and saves, then the marks."""
    found = list(Mark.query(user_id, Mark.post_id > after, limit=limit, consistent_read=True))
    for mark in found:
        if mark.like_id is not None:
            _done_already(posts.remove_like, user_id, mark.post_id)
        if mark.saved_id is not None:
            posts.unsave_post(user_id, mark.post_id)
    with batch_write(Mark) as batch:
        for mark in found:
            batch.delete(Mark(user_id, mark.post_id))
    return [mark.post_id for mark in found]


def _following(user_id: int, after: int, limit: int) -> list[int]:
    found = list(Follow.following.query(user_id, Follow.follow_id > after, limit=limit))
    for edge in found:
        _done_already(follows.unfollow, user_id, edge.followee_id)
    return [edge.follow_id for edge in found]


def _followers(user_id: int, after: int, limit: int) -> list[int]:
    found = list(Follow.followers.query(user_id, Follow.follow_id > after, limit=limit))
    for edge in found:
        _done_already(follows.unfollow, edge.follower_id, user_id)
    return [edge.follow_id for edge in found]


def _requests_made(user_id: int, after: int, limit: int) -> list[int]:
    found = list(FollowRequest.by_requester.query(user_id, FollowRequest.request_id > after, limit=limit))
    for request in found:
        _done_already(follows.decline, request.followee_id, user_id)  # a withdrawal: the same command
    return [request.request_id for request in found]


def _requests_received(user_id: int, after: int, limit: int) -> list[int]:
    found = list(FollowRequest.query(user_id, FollowRequest.requester_id > after, limit=limit,
                                     consistent_read=True))
    for request in found:
        _done_already(follows.decline, user_id, request.requester_id)
    return [request.requester_id for request in found]


def _blocks(user_id: int, after: int, limit: int) -> list[int]:
    """Blocks both ways, then both users' items of the pair (unblock leaves
    them empty), unless blocked again meanwhile."""
    found = list(Block.query(user_id, Block.other_id > after, limit=limit, consistent_read=True))
    for relation in found:
        if relation.block_id is not None:
            blocks.unblock(user_id, relation.other_id)
        if relation.blocked_by_id is not None:
            blocks.unblock(relation.other_id, user_id)
        for key in ((user_id, relation.other_id), (relation.other_id, user_id)):
            try:
                Block(*key).delete(condition=Block.absent_either_way())
            except DeleteError as error:
                if not condition_failed(error):
                    raise
    return [relation.other_id for relation in found]


def _stories(user_id: int, after: int, limit: int) -> list[int]:
    """Active stories through their command (out of story feeds, their
    photo deleted); expired ones, which TTL would remove in time, at once."""
    found = list(Story.by_author.query(user_id, Story.story_id > after, limit=limit))
    oldest = oldest_active_id()
    for story in found:
        if story.story_id >= oldest:
            _done_already(stories.delete_story, user_id, story.story_id)
        else:
            Story(story.story_id).delete()
    return [story.story_id for story in found]


def _claims(user_id: int, actor_id: int) -> list[NotificationKey]:
    """The one-per-actor claims a pair may hold (deleting an absent one is no error)."""
    return [NotificationKey(NotificationKey.of(kind, user_id, actor_id)) for kind in (FOLLOW, FOLLOW_REQUEST)]


def _notifications_caused(user_id: int, after: int, limit: int) -> list[int]:
    """In everyone's partitions, read or unread, with their claims. Several
    users share a mention's id, so the walk resumes at the last id itself
    (>=): those of it already deleted are no longer found."""
    found = list(Notification.by_actor.query(user_id, Notification.notification_id >= after, limit=limit))
    _delete_notifications([(note.user_id, note.notification_id, note.actor_id) for note in found],
                          {(note.user_id, note.actor_id) for note in found})
    return [note.notification_id for note in found]


def _notifications_received(user_id: int, after: int, limit: int) -> list[int]:
    found = list(Notification.query(user_id, Notification.notification_id > after, limit=limit,
                                    consistent_read=True))
    _delete_notifications([(user_id, note.notification_id, note.actor_id) for note in found],
                          {(user_id, note.actor_id) for note in found if note.type in (FOLLOW, FOLLOW_REQUEST)})
    return [note.notification_id for note in found]


def _delete_notifications(notifications: list[tuple[int, int, int]], pairs: set[tuple[int, int]]) -> None:
    with batch_write(Notification) as batch:
        for owner_id, notification_id, _ in notifications:
            batch.delete(Notification(owner_id, notification_id))
    with batch_write(NotificationKey) as batch:
        for owner_id, actor_id in sorted(pairs):
            for claim in _claims(owner_id, actor_id):
                batch.delete(claim)


def _partition(model, sort_key: str | None = None):
    """A step deleting the account's own partition of a table: from the
    position reached when its sort key is a number, else from the start of
    what is left (a consistent Query sees what the last chunk deleted)."""

    def run(user_id: int, after: int, limit: int) -> list[int]:
        condition = getattr(model, sort_key) > after if sort_key else None
        found = list(model.query(user_id, condition, limit=limit, consistent_read=True))
        with batch_write(model) as batch:
            for item in found:
                batch.delete(item)
        return [getattr(item, sort_key) if sort_key else 0 for item in found]

    return run


def _exports(user_id: int, after: int, limit: int) -> list[int]:
    """The archives first, then the records: a retry still finds what to delete."""
    found = list(Export.query(user_id, Export.export_id > after, limit=limit, consistent_read=True))
    media_files.delete_exports([export.object_key for export in found if export.object_key])
    with batch_write(Export) as batch:
        for export in found:
            batch.delete(export)
    return [export.export_id for export in found]


def _tokens(user_id: int, after: int, limit: int) -> list[int]:
    """Mailed tokens (a verify-email one names an address); TTL would
    remove them within a day."""
    found = list(AccountToken.by_user.query(user_id, limit=limit))
    with batch_write(AccountToken) as batch:
        for token in found:
            batch.delete(AccountToken(token.token_hash))
    return [0 for _ in found]


# In this order: the causes of notifications are undone before the
# notifications they caused are swept, and its posts go before its followers
# (an account falling below the large-account line backfills its followers
# with its newest posts: none by then).
STEPS = (
    Step("posts", COMMANDS, _posts),
    Step("comments", COMMANDS, _comments),
    Step("likes-and-saves", COMMANDS, _marks),
    Step("following", COMMANDS, _following),
    Step("followers", COMMANDS, _followers),
    Step("requests-made", COMMANDS, _requests_made),
    Step("requests-received", COMMANDS, _requests_received),
    Step("blocks", COMMANDS, _blocks),
    Step("stories", COMMANDS, _stories),
    Step("notifications-caused", BATCH, _notifications_caused),
    Step("notifications-received", BATCH, _notifications_received),
    Step("conversations", BATCH, _partition(Conversation, "other_user_id")),
    Step("read-marks", BATCH, _partition(ReadMark)),
    Step("large-follows", BATCH, _partition(LargeFollow, "author_id")),
    Step("feed", BATCH, _partition(FeedEntry, "item_id")),
    Step("story-feed", BATCH, _partition(StoryFeedEntry, "item_id")),
    Step("exports", BATCH, _exports),
    Step("tokens", BATCH, _tokens),
)
_POSITION = {step.name: position for position, step in enumerate(STEPS)}


def erase(event: Event[UserDeleted]) -> None:
    _erase_from(event.payload.user_id, STEPS[0].name, 0)


def continue_erasure(event: Event[ErasureContinued]) -> None:
    _erase_from(event.payload.user_id, event.payload.step, event.payload.after)


def _erase_from(user_id: int, step_name: str, after: int) -> None:
    """One chunk, from this step and position on; then the continuation."""
    account = stored_now(User, user_id)
    if account is None or not account.deleted:
        return  # not a deleted account: an event about an active one erases nothing
    for position in range(_POSITION[step_name], len(STEPS)):
        step = STEPS[position]
        limit = erasure_chunk() if step.kind == COMMANDS else erasure_batch_chunk()
        reached = step.run(user_id, after, limit)
        if len(reached) == limit:
            publish(Event(ErasureContinued(user_id=user_id, step=step.name, after=reached[-1])))
            return
        if reached and position + 1 < len(STEPS):
            # This invocation's chunk is done: the next step has one of its own.
            publish(Event(ErasureContinued(user_id=user_id, step=STEPS[position + 1].name)))
            return
        after = 0


HANDLERS = {
    UserDeleted: erase,
    ErasureContinued: continue_erasure,
}
