"""Uploads consumer: turns each file uploaded with a media's form into its
renditions, or rejects it with a reason. Fed by the media bucket's own
object-created notifications (through a queue), not by the events topic.

The file is checked at its real size (the form's size condition is the
client's promise; moto does not even enforce it), decoded and re-encoded by
chalicelib/renditions.py, and deleted once the media is decided. Deciding
is a conditional write from pending, and the rendition keys are fixed per
media, so a redelivered notification, or a second upload with the same
form, changes nothing: it only deletes the file.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import ClassVar
from urllib.parse import unquote_plus

from chalicelib import media_files, renditions
from chalicelib.commands.media import mark_ready, mark_rejected
from chalicelib.events import Event
from chalicelib.models import Media
from chalicelib.models.base import stored_now
from chalicelib.models.media import PENDING


@dataclass(frozen=True)
class UploadCompleted:
    """An S3 object-created notification for one upload, as a typed event."""

    type: ClassVar[str] = "s3.object_created"
    media_id: int


def upload_completed(body: str) -> Event | None:
    """The event of one notification's body; None for S3's test event, sent
    when the notification is configured. ValueError (or KeyError,
    TypeError) when the body is neither."""
    notification = json.loads(body)
    if notification.get("Event") == "s3:TestEvent":
        return None
    # S3 sends one record per message.
    [record] = notification["Records"]
    key = unquote_plus(record["s3"]["object"]["key"])
    return Event(UploadCompleted(media_id=media_files.media_id_of_upload(key)))  # type: ignore[arg-type]


def process_upload(event: Event[UploadCompleted]) -> None:
    media_id = event.payload.media_id
    media = stored_now(Media, media_id)
    if media is not None and media.status == PENDING:
        size = media_files.upload_size(media_id)
        if size is None:
            return  # nothing to decide from: it stays pending until it expires
        _decide(media, size)
    media_files.delete_upload(media_id)


def _decide(media: Media, size: int) -> None:
    if size > renditions.MAX_BYTES:
        return mark_rejected(media, "Larger than 10 MiB")
    if size > media.size_bytes:
        return mark_rejected(media, f"Larger than the {media.size_bytes} bytes declared")
    try:
        made = renditions.renditions_of(media_files.read_upload(media.media_id))
    except renditions.Rejected as rejected:
        return mark_rejected(media, rejected.reason)
    for name, rendition in (("large", made.large), ("thumbnail", made.thumbnail)):
        media_files.write_rendition(media.media_id, media.token, name, rendition.data, renditions.CONTENT_TYPE)
    mark_ready(media, made.large.width, made.large.height)


HANDLERS = {UploadCompleted: process_upload}
