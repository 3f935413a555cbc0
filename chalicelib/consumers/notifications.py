"""Notifications consumer: tells users about likes, comments, follows,
follow requests and their approval, and mentions.

A notification's id is the id of what caused it (like_id, comment_id,
follow_id, request_id; for a mention, the id of the post or comment that mentions) and
it is written only if absent, so a redelivered event finds it already
there; a new one is written with its notification.created event, which the
push consumer sends to the user's open connections. A `follow` or
`follow_request` is also at most one per actor: its natural key is claimed
first (NotificationKey). Before notifying, the consumer checks that the cause still
exists as the event describes it, so a late event cannot bring back a
notification for a like or follow that was undone in the meantime, nor
one from a deleted account (an inactive tombstone: its erasure removes what
it caused, consumers/erasure.py). Those
reads are strongly consistent: an event can arrive milliseconds after its
write, and a stale "not found" would drop the notification for good.
"""
from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.consumers.batch import OnlyCarrying
from chalicelib.events import (
    CommentAdded,
    Event,
    FollowApproved,
    FollowDeclined,
    FollowRequested,
    NotificationCreated,
    PostCreated,
    PostLiked,
    PostUnliked,
    UserFollowed,
)
from chalicelib.models import (
    Comment,
    Follow,
    FollowRequest,
    Like,
    Notification,
    Post,
    UniqueKey,
    User,
)
from chalicelib.models.base import condition_failed, stored_now
from chalicelib.models.notifications import NotificationKey
from chalicelib.queries.access import blocked_either_way, without_blocked
from chalicelib.queries.loading import fetch_many
from chalicelib.queries.notifications import read_all_mark
from chalicelib.text import MAX_MENTIONS, mentioned
from chalicelib.writes import NOTHING_TO_DO, Writes, command

LIKE = "like"
COMMENT = "comment"
FOLLOW = "follow"
FOLLOW_REQUEST = "follow_request"
FOLLOW_ACCEPTED = "follow_accepted"
MENTION = "mention"
REPLY = "reply"


def notify_like(event: Event[PostLiked]) -> None:
    liked = event.payload
    post_id, liker_id, like_id, author_id = liked.post_id, liked.user_id, liked.like_id, liked.post_author_id
    if liker_id == author_id:
        return
    try:
        if Like.get(post_id, liker_id, consistent_read=True).like_id != like_id:
            return  # unliked, then liked again: the newer like notifies
        Post.get(post_id, consistent_read=True)
        liker = User.get(liker_id, consistent_read=True)
    except (Like.DoesNotExist, Post.DoesNotExist, User.DoesNotExist):
        return
    if liker.deleted:
        return  # a deleted account's: its erasure undoes the like, and notifies nobody
    _notify(event, author_id, like_id, liker_id, LIKE, post_id, f"{liker.username} liked your post")


def forget_like(event: Event[PostUnliked]) -> None:
    """An unliked post no longer notifies its author, unless they have
    already read about the like: then it is history."""
    author_id, like_id = event.payload.post_author_id, event.payload.like_id
    try:
        if like_id <= read_all_mark(User.get(author_id, consistent_read=True)):
            return
    except User.DoesNotExist:
        return
    try:
        Notification(author_id, like_id).delete(condition=Notification.is_read == False)  # noqa: E712
    except DeleteError as error:
        # Absent (never made, or already removed) or read: nothing to do.
        if not condition_failed(error):
            raise


def notify_comment(event: Event[CommentAdded]) -> None:
    """For a reply, the author of the comment it replies to; the post's
    author; whom it mentions. Each hears once, of the first of these."""
    added = event.payload
    comment = stored_now(Comment, added.comment_id)
    if comment is None or stored_now(Post, added.post_id) is None:
        return
    told = {added.author_id}
    parent = stored_now(Comment, comment.parent_id) if comment.parent_id else None
    if parent is not None and parent.author_id not in told:
        _notify(event, parent.author_id, added.comment_id, added.author_id, REPLY, added.post_id,
                f"{comment.author_username} replied to your comment")
        told.add(parent.author_id)
    if added.post_author_id not in told:
        # Usernames never change, so the comment's copy is the actor's username.
        _notify(event, added.post_author_id, added.comment_id, added.author_id, COMMENT, added.post_id,
                f"{comment.author_username} commented on your post")
        told.add(added.post_author_id)
    _notify_mentioned(event, comment.content, added.comment_id, added.post_id, added.author_id,
                      comment.author_username, told)


def notify_mentions_in_post(event: Event[PostCreated]) -> None:
    post = stored_now(Post, event.payload.post_id)
    if post is None:
        return
    _notify_mentioned(event, post.content, post.post_id, post.post_id, post.author_id, post.author_username,
                      {post.author_id})


def _notify_mentioned(event: Event, text: str | None, text_id: int, post_id: int, actor_id: int, actor: str,
                      told: set[int]) -> None:
    """Each existing user the text names, once, unless already told or
    blocked either way: the names resolve with one BatchGetItem of their
    username claims (at most MAX_MENTIONS; the command refused more), the
    blocks with one of the actor's block items; unknown names are ignored."""
    names = mentioned(text)[:MAX_MENTIONS]
    claims = fetch_many(UniqueKey, [UniqueKey.for_username(name) for name in names])
    named = [claim.user_id for claim in claims.values() if claim.user_id not in told]
    for user_id in without_blocked(actor_id, named, lambda user_id: user_id):
        _notify(event, user_id, text_id, actor_id, MENTION, post_id, f"{actor} mentioned you", checked=True)
        told.add(user_id)


def notify_follow(event: Event[UserFollowed]) -> None:
    followed = event.payload
    follower_id, followee_id, follow_id = followed.follower_id, followed.followee_id, followed.follow_id
    if follower_id == followee_id:
        return
    try:
        if Follow.get(follower_id, followee_id, consistent_read=True).follow_id != follow_id:
            return  # unfollowed, then followed again: the newer follow notifies
        follower = User.get(follower_id, consistent_read=True)
    except (Follow.DoesNotExist, User.DoesNotExist):
        return
    if follower.deleted:
        return
    _notify_once(event, followee_id, follow_id, follower_id, FOLLOW, follower_id,
                 f"{follower.username} started following you")


def notify_follow_request(event: Event[FollowRequested]) -> None:
    requested = event.payload
    requester_id, followee_id, request_id = requested.requester_id, requested.followee_id, requested.request_id
    try:
        if FollowRequest.get(followee_id, requester_id, consistent_read=True).request_id != request_id:
            return  # withdrawn, then asked again: the newer request notifies
        requester = User.get(requester_id, consistent_read=True)
    except (FollowRequest.DoesNotExist, User.DoesNotExist):
        return  # already approved, declined or withdrawn
    if requester.deleted:
        return
    _notify_once(event, followee_id, request_id, requester_id, FOLLOW_REQUEST, requester_id,
                 f"{requester.username} requested to follow you")


def forget_follow_request(event: Event[FollowDeclined]) -> None:
    """A withdrawn or declined request takes its unread notification away,
    and with it the claim, so that asking again later notifies again. A
    read one is history: it stays, and stays the only one from that actor."""
    declined = event.payload
    followee_id, requester_id, request_id = declined.followee_id, declined.requester_id, declined.request_id
    account = stored_now(User, followee_id)
    if account is None or request_id <= read_all_mark(account):
        return
    try:
        Notification(followee_id, request_id).delete(condition=Notification.is_read == False)  # noqa: E712
    except DeleteError as error:
        if not condition_failed(error):
            raise
        if stored_now(Notification, followee_id, request_id) is not None:
            return  # read
        # Never written (blocked, or cut short): a claim naming it must go all the same.
    try:
        NotificationKey(NotificationKey.of(FOLLOW_REQUEST, followee_id, requester_id)).delete(
            condition=NotificationKey.notification_id == request_id)
    except DeleteError as error:
        # Absent, or naming an older, read request: nothing of this one to release.
        if not condition_failed(error):
            raise


def notify_follow_accepted(event: Event[FollowApproved]) -> None:
    approved = event.payload
    follower_id, followee_id, follow_id = approved.follower_id, approved.followee_id, approved.follow_id
    try:
        if Follow.get(follower_id, followee_id, consistent_read=True).follow_id != follow_id:
            return
        approver = User.get(followee_id, consistent_read=True)
    except (Follow.DoesNotExist, User.DoesNotExist):
        return
    if approver.deleted:
        return
    _notify(event, follower_id, follow_id, followee_id, FOLLOW_ACCEPTED, followee_id,
            f"{approver.username} accepted your follow request")


def _notify_once(event: Event, user_id: int, notification_id: int, actor_id: int,
                 kind: str, reference_id: int, message: str) -> None:
    """_notify, unless user_id already has a notification of this kind from
    actor_id: the natural key is claimed first with this notification's id.
    A redelivered event finds its own id there and writes what a failure
    may have left unwritten."""
    if blocked_either_way(user_id, actor_id):
        return
    claim = NotificationKey(NotificationKey.of(kind, user_id, actor_id), notification_id=notification_id)
    try:
        claim.save(condition=NotificationKey.key.does_not_exist()
                   | (NotificationKey.notification_id == notification_id))
    except PutError as error:
        if not condition_failed(error):
            raise
        return  # notified of this kind by this actor already
    _notify(event, user_id, notification_id, actor_id, kind, reference_id, message, checked=True)


def _notify(event: Event, user_id: int, notification_id: int, actor_id: int,
            kind: str, reference_id: int, message: str, checked: bool = False) -> None:
    """Never between two users when either blocks the other, also for an
    event that was on its way when the block happened (checked: the caller
    has looked already)."""
    if not checked and blocked_either_way(user_id, actor_id):
        return
    notification = Notification(
        user_id,
        notification_id,
        actor_id=actor_id,
        type=kind,
        reference_id=reference_id,
        message=message,
        is_read=False,
        created_at=event.occurred_at,
    )
    _save_new(notification)


@command("notify")
def _save_new(writes: Writes, notification: Notification) -> None:
    """Written with a notification.created event in the outbox, for the push
    consumer: the same transaction, so a new notification is always pushed
    and a redelivered event (the notification already there) pushes nothing
    twice."""
    writes.put(notification, condition=Notification.notification_id.does_not_exist(), otherwise=NOTHING_TO_DO)
    writes.publish(NotificationCreated(user_id=notification.user_id, notification_id=notification.notification_id))


HANDLERS = {
    PostLiked: notify_like,
    PostUnliked: forget_like,
    CommentAdded: notify_comment,
    PostCreated: OnlyCarrying("mentions", notify_mentions_in_post),
    UserFollowed: notify_follow,
    FollowRequested: notify_follow_request,
    FollowApproved: notify_follow_accepted,
    FollowDeclined: forget_follow_request,
}
