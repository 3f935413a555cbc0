"""Media, from the upload form to its one use.

A media is created pending with an upload form; the uploads consumer decides
it ready or rejected; a post, story or profile then claims it, once, with a
conditional write in its own transaction (claim). Unused, it expires a day
after its creation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from chalicelib import events, media_files, rate_limits
from chalicelib.clock import now_iso
from chalicelib.config import settings
from chalicelib.errors import Invalid
from chalicelib.ids import new_id
from chalicelib.models import Media
from chalicelib.models.media import PENDING, READY, REJECTED
from chalicelib.writes import NOTHING_TO_DO, Writes, command

UNUSED_LIFETIME = timedelta(hours=24)
# A media must be used at least this long before it expires: the lifecycle
# rule may delete unclaimed files from a day after they were written, and
# the media consumer needs a moment to mark a post's files claimed.
CLAIM_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class NewMedia:
    """A pending media and the form to upload its file with; reads as the media otherwise."""

    media: Media
    upload: dict

    def __getattr__(self, name: str):
        return getattr(self.media, name)


def request_upload(owner_id: int, content_type: str, size_bytes: int) -> NewMedia:
    """A new pending media and its upload form; counts against the owner's
    upload limit."""
    config = settings()
    rate_limits.hit(f"uploads#{owner_id}", config.uploads_per_user, config.uploads_window_seconds)
    media = Media(new_id(), owner_id=owner_id, status=PENDING, content_type=content_type, size_bytes=size_bytes,
                  created_at=now_iso(), expires_at=datetime.now(timezone.utc) + UNUSED_LIFETIME)
    _create(media)
    return NewMedia(media, media_files.upload_form(media.media_id, content_type, size_bytes))


@command("create the upload")
def _create(writes: Writes, media: Media) -> None:
    writes.put(media, condition=Media.media_id.does_not_exist())
    writes.publish(events.MediaCreated(media_id=media.media_id, owner_id=media.owner_id))


@command("record the processed upload")
def mark_ready(writes: Writes, media: Media, token: str, width: int, height: int) -> None:
    """Decided once: a redelivered upload finds it decided and changes
    nothing. token: the key of the renditions this attempt wrote."""
    writes.update(Media(media.media_id), [Media.status.set(READY), Media.token.set(token), Media.width.set(width),
                                          Media.height.set(height)],
                  condition=Media.status == PENDING, otherwise=NOTHING_TO_DO)
    writes.publish(events.MediaReady(media_id=media.media_id, owner_id=media.owner_id))


@command("record the rejected upload")
def mark_rejected(writes: Writes, media: Media, reason: str) -> None:
    writes.update(Media(media.media_id), [Media.status.set(REJECTED), Media.reason.set(reason)],
                  condition=Media.status == PENDING, otherwise=NOTHING_TO_DO)
    writes.publish(events.MediaRejected(media_id=media.media_id, owner_id=media.owner_id, reason=reason))


def usable_media(owner_id: int, media_ids: Iterable[int], field: str) -> list[Media]:
    """The media, in the order given (one BatchGetItem), each the owner's,
    ready and unused; else Invalid naming the request's field. What is read
    here is only for the answer: the claim's own condition decides."""
    media_ids = list(media_ids)
    if len(set(media_ids)) != len(media_ids):
        raise Invalid(f"{field}: a media can be given only once")
    found = {media.media_id: media for media in Media.batch_get(media_ids, consistent_read=True)}
    deadline = datetime.now(timezone.utc) + CLAIM_MARGIN
    for media_id in media_ids:
        media = found.get(media_id)
        if media is None or media.owner_id != owner_id:
            raise Invalid(f"{field}: media {media_id} not found")
        if media.expires_at and media.expires_at <= deadline:
            raise Invalid(f"{field}: media {media_id} has expired (use a media within 23 hours of its upload)")
        if media.status != READY:
            raise Invalid(f"{field}: media {media_id} is {media.status}, not ready")
        if media.used_by:
            raise Invalid(f"{field}: media {media_id} is already used")
    return [found[media_id] for media_id in media_ids]


def claim(writes: Writes, media: list[Media], used_by: str, field: str, expires_at: datetime | None = None) -> None:
    """Adds each media's claim to the transaction: it stays the owner's,
    ready, unused and unexpired until the commit, or the whole command is a
    422. Claimed, it no longer expires (a story's media expires with it)."""
    deadline = datetime.now(timezone.utc) + CLAIM_MARGIN
    for item in media:
        keep = Media.expires_at.set(expires_at) if expires_at else Media.expires_at.remove()
        writes.update(Media(item.media_id), [Media.used_by.set(used_by), keep],
                      condition=(Media.owner_id == item.owner_id) & (Media.status == READY)
                      & Media.used_by.does_not_exist() & (Media.expires_at > deadline),
                      otherwise=Invalid(f"{field}: media {item.media_id} is already used"))
