"""Exports consumer: writes one ZIP archive of everything an account holds
(JSON of its profile, posts, comments, likes, saves, follows, blocks,
stories and messages, and the large rendition of each of its photos) to the
media bucket, marks the export ready and publishes export.ready, which the
mail consumer mails.

It reads everything in one invocation, a page of 100 at a time: its work
grows with the account (docs/accounts.md says so, and what would chunk it).
A replay finds the export no longer pending and does nothing. An export
whose every try fails is marked failed on the last one (and its event
dead-lettered like any other)."""
from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import timedelta
from typing import Any, Iterable

from pynamodb.models import Model

from chalicelib import clock, events, media_files
from chalicelib.consumers.batch import is_last_try
from chalicelib.events import Event, ExportRequested
from chalicelib.models import (
    Block,
    Comment,
    Conversation,
    Export,
    Follow,
    Mark,
    Message,
    Post,
    Story,
    User,
    conversation_key,
)
from chalicelib.models.base import stored_now
from chalicelib.models.exports import FAILED, PENDING, READY
from chalicelib.writes import NOTHING_TO_DO, Writes, command

LINK_LIFETIME = timedelta(hours=24)
PAGE = 100


def write_export(event: Event[ExportRequested]) -> None:
    requested = event.payload
    export = stored_now(Export, requested.user_id, requested.export_id)
    user = stored_now(User, requested.user_id)
    if export is None or export.status != PENDING or user is None:
        return
    key = f"{media_files.EXPORTS_PREFIX}{user.user_id}/{export.export_id}-{secrets.token_urlsafe(16)}.zip"
    try:
        media_files.write_export(key, archive(user))
    except Exception:
        # The person sees it failed, and may ask again, rather than wait
        # for a pending export forever; the event still goes to the
        # dead-letter queue, for the operator.
        if is_last_try(event):
            _mark_failed(export)
        raise
    _mark_ready(export, key)


def archive(user: User) -> bytes:
    uid = user.user_id
    posts = list(_all(Post.by_author.query, uid))
    stories = list(_all(Story.by_author.query, uid))
    marks = list(_all(Mark.query, uid))
    conversations = list(_all(Conversation.query, uid))
    messages = [message for conversation in conversations
                for message in _all(Message.query, conversation_key(uid, conversation.other_user_id))]
    parts = {
        "profile": _plain(user, drop={"password_hash", "password_version", "is_large", "notifications_read_up_to"}),
        "posts": [_plain(post) for post in posts],
        "comments": [_plain(comment) for comment in _all(Comment.by_author.query, uid)],
        "likes": [{"post_id": mark.post_id, "like_id": mark.like_id} for mark in marks if mark.like_id],
        "saves": [{"post_id": mark.post_id, "saved_id": mark.saved_id} for mark in marks if mark.saved_id],
        "following": [_plain(f) for f in _all(Follow.following.query, uid)],
        "followers": [_plain(f) for f in _all(Follow.followers.query, uid)],
        "blocks": [{"blocked_id": b.other_id, "block_id": b.block_id} for b in _all(Block.by_time.query, uid)],
        "stories": [_plain(story) for story in stories],
        "messages": [_plain(message) for message in messages],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for name, value in parts.items():
            archive_file.writestr(f"{name}.json", json.dumps(value, indent=2, default=str))
        for url in _photo_urls(posts, stories):
            key = media_files.rendition_key_of_url(url)
            archive_file.writestr(f"photos/{key.rsplit('/', 2)[-2]}.jpg", media_files.read_file(key))
    return out.getvalue()


def _all(query, hash_key) -> Iterable[Model]:
    return query(hash_key, page_size=PAGE)


def _plain(item: Model, drop: frozenset | set = frozenset()) -> dict[str, Any]:
    values = {name: value for name, value in item.attribute_values.items() if name not in drop}
    if "media" in values:
        values["media"] = [m.attribute_values for m in values["media"]] if isinstance(values["media"], list) \
            else (values["media"].attribute_values if values["media"] else None)
    return values


def _photo_urls(posts: list[Post], stories: list[Story]) -> list[str]:
    urls = [media.url for post in posts for media in post.media]
    urls += [story.media.url for story in stories if story.media]
    return list(dict.fromkeys(urls))


@command("mark the export ready")
def _mark_ready(writes: Writes, export: Export, key: str) -> None:
    expires_at = (clock.now() + LINK_LIFETIME).isoformat()
    writes.update(export, [Export.status.set(READY), Export.object_key.set(key), Export.expires_at.set(expires_at)],
                  condition=Export.status == PENDING, otherwise=NOTHING_TO_DO)
    writes.publish(events.ExportReady(user_id=export.user_id, export_id=export.export_id))


@command("mark the export failed")
def _mark_failed(writes: Writes, export: Export) -> None:
    writes.update(export, [Export.status.set(FAILED)], condition=Export.status == PENDING, otherwise=NOTHING_TO_DO)


HANDLERS = {ExportRequested: write_export}
