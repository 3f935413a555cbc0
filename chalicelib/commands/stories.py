from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib import events
from chalicelib.commands.media import claim, usable_media
from chalicelib.errors import Forbidden, NotFound
from chalicelib.ids import id_time_ms, new_id
from chalicelib.models import Story, StoryFeedEntry, User
from chalicelib.models.base import stored_now
from chalicelib.models.media import MediaItem
from chalicelib.models.stories import LIFETIME_MS, oldest_active_id
from chalicelib.writes import Writes, command


@command("create the story")
def create_story(writes: Writes, author: User, image_url: str | None, content: str | None,
                 media_id: int | None = None) -> Story:
    """author: the authenticated caller, as read with their token. With
    media_id, the story claims that media (which then ends with the story)."""
    author_id = author.user_id
    photos = usable_media(author_id, [media_id], "media_id") if media_id else []
    story_id = new_id()
    # Times derive from the id, which is what reads bound expiry by, so
    # created_at, expires_at and visibility agree to the millisecond.
    created = datetime.fromtimestamp(id_time_ms(story_id) / 1000, timezone.utc)
    story = Story(
        story_id=story_id,
        author_id=author_id,
        author_username=author.username,
        image_url=photos[0].url if photos else image_url,
        media=MediaItem.of(photos[0]) if photos else None,
        content=content,
        created_at=created.isoformat(),
        expires_at=created + timedelta(milliseconds=LIFETIME_MS),
    )
    writes.put(story, condition=Story.story_id.does_not_exist())
    claim(writes, photos, f"story:{story_id}", "media_id", expires_at=story.expires_at)
    # The author sees their own story at once, before the fan-out.
    writes.put(StoryFeedEntry.entry(author_id, story_id, author_id, expires_at=story.expires_at))
    writes.publish(events.StoryCreated(story_id=story_id, author_id=author_id,
                                       media_ids=[photo.media_id for photo in photos]))
    return story


@command("save the change")
def delete_story(writes: Writes, user_id: int, story_id: int) -> None:
    story = stored_now(Story, story_id)
    # Expired: gone for everyone, even if TTL has not removed it yet.
    if story is None or story_id < oldest_active_id():
        raise NotFound("Story not found")
    if story.author_id != user_id:
        raise Forbidden("Not your story")
    writes.delete(story, condition=Story.author_id == user_id, otherwise=NotFound("Story not found"))
    writes.publish(events.StoryDeleted(story_id=story_id, author_id=user_id,
                                       media_ids=[story.media.media_id] if story.media else []))
