"""Uploads consumer: turns each file uploaded with a media's form into its
renditions, or rejects it with a reason. Fed by the media bucket's own
object-created notifications (through a queue), not by the events topic.

The file is checked at its real size (the form's size condition is the
client's promise; moto does not even enforce it), decoded and re-encoded by
chalicelib/renditions.py, and deleted once the media is decided. Deciding
is a conditional write from pending, so a redelivered notification, or a
second upload with the same form, changes nothing but delete the file.
Each attempt writes its renditions under a key of its own, which the
decision records: two attempts at once (two uploads with one form, handled
side by side) cannot change the files of a media already ready; the
loser's files are never claimed, and the lifecycle rule deletes them.

An upload that fails every attempt (a crash, a timeout) is rejected on its
last receive instead of being tried: the media gets a reason, and the
dead-letter queue stays for what is really broken.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import unquote_plus

from chalicelib import media_files
from chalicelib.commands.media import mark_ready, mark_rejected
from chalicelib.consumers.batch import is_last_try, receives_of
from chalicelib.events import Event
from chalicelib.models import Media
from chalicelib.models.base import stored_now
from chalicelib.models.media import PENDING


@dataclass(frozen=True)
class UploadCompleted:
    """An S3 object-created notification for one upload, as a typed event:
    not a domain Payload (it never travels on the events topic), but typed
    like one (events.Typed), so that its handler is a plain function of an
    Event like every other."""

    type: ClassVar[str] = "s3.object_created"
    media_id: int


def upload_completed(record: dict) -> Event | None:
    """The event of one notification; None for S3's test event, sent when
    the notification is configured. ValueError (or KeyError, TypeError)
    when the body is neither."""
    notification = json.loads(record["body"])
    if notification.get("Event") == "s3:TestEvent":
        return None
    # S3 sends one record per message.
    [s3_record] = notification["Records"]
    key = unquote_plus(s3_record["s3"]["object"]["key"])
    return Event(UploadCompleted(media_id=media_files.media_id_of_upload(key)), receives=receives_of(record))


def process_upload(event: Event[UploadCompleted]) -> None:
    media_id = event.payload.media_id
    media = stored_now(Media, media_id)
    if media is not None and media.status == PENDING:
        if is_last_try(event):
            mark_rejected(media, "Could not be processed")
        else:
            size = media_files.upload_size(media_id)
            if size is None:
                return  # nothing to decide from: it stays pending until it expires
            _decide(media, size)
    media_files.delete_upload(media_id)


def _decide(media: Media, size: int) -> None:
    # Pillow is imported here, by the one function that decodes photos: the
    # API and every other consumer import this module too, and would pay
    # for it at each cold start.
    from chalicelib import renditions

    if size > renditions.MAX_BYTES:  # not worth reading
        return mark_rejected(media, renditions.TOO_MANY_BYTES)
    if size > media.size_bytes:
        return mark_rejected(media, f"Larger than the {media.size_bytes} bytes declared")
    try:
        made = renditions.renditions_of(media_files.read_upload(media.media_id))
    except renditions.Rejected as rejected:
        return mark_rejected(media, rejected.reason)
    token = secrets.token_urlsafe(12)
    for name, rendition in (("large", made.large), ("thumbnail", made.thumbnail)):
        media_files.write_rendition(media.media_id, token, name, rendition.data, renditions.CONTENT_TYPE)
    mark_ready(media, token, made.large.width, made.large.height)


HANDLERS = {UploadCompleted: process_upload}
