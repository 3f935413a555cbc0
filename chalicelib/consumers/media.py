"""Media consumer: the files of media that posts, stories and profiles take
and let go.

- A post or a profile photo keeps its media's files for good, a story until
  it has ended: they move from the lifecycle rule for unclaimed files to
  another, or none (chalicelib/media_files.py).
- A deleted post or story, a replaced profile photo, and a deleted
  account's profile photo, delete their media: files first, then
  records, so that a retry after a failure still finds what to delete.

Each is idempotent: keeping kept files or deleting deleted ones is no
error. Only media used by the very item the event names are deleted.
"""
from __future__ import annotations

from chalicelib import media_files
from chalicelib.batches import batch_write
from chalicelib.consumers.batch import OnlyCarrying
from chalicelib.events import Event, PostCreated, PostDeleted, StoryCreated, StoryDeleted, UserDeleted, UserUpdated
from chalicelib.models import Media


def keep_post_media(event: Event[PostCreated]) -> None:
    _claim(event.payload.media_ids, f"post:{event.payload.post_id}", media_files.KEPT)


def keep_story_media(event: Event[StoryCreated]) -> None:
    _claim(event.payload.media_ids, f"story:{event.payload.story_id}", media_files.FOR_A_STORY)


def update_profile_media(event: Event[UserUpdated]) -> None:
    used_by = f"profile:{event.payload.user_id}"
    _claim(event.payload.media_ids, used_by, media_files.KEPT)
    _delete(event.payload.released_media_ids, used_by)


def delete_post_media(event: Event[PostDeleted]) -> None:
    _delete(event.payload.media_ids, f"post:{event.payload.post_id}")


def delete_story_media(event: Event[StoryDeleted]) -> None:
    _delete(event.payload.media_ids, f"story:{event.payload.story_id}")


def delete_profile_media(event: Event[UserDeleted]) -> None:
    _delete(event.payload.media_ids, f"profile:{event.payload.user_id}")


def _used_by(media_ids: list[int], used_by: str) -> list[Media]:
    if not media_ids:
        return []
    return [media for media in Media.batch_get(media_ids, consistent_read=True) if media.used_by == used_by]


def _claim(media_ids: list[int], used_by: str, claimed: str) -> None:
    for media in _used_by(media_ids, used_by):
        media_files.claim_renditions(media.media_id, media.token, claimed)


def _delete(media_ids: list[int], used_by: str) -> None:
    released = _used_by(media_ids, used_by)
    if not released:
        return
    media_files.delete_renditions([(media.media_id, media.token) for media in released])
    with batch_write(Media) as batch:
        for media in released:
            batch.delete(media)


HANDLERS = {
    event_type: OnlyCarrying("media", handler) for event_type, handler in (
        (PostCreated, keep_post_media),
        (StoryCreated, keep_story_media),
        (UserUpdated, update_profile_media),
        (PostDeleted, delete_post_media),
        (StoryDeleted, delete_story_media),
        (UserDeleted, delete_profile_media),
    )
}
