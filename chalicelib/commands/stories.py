from __future__ import annotations

from datetime import datetime, timedelta, timezone

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.errors import Conflict, Forbidden, NotFound
from chalicelib.ids import id_time_ms, new_id
from chalicelib.models import Story, StoryFeedEntry, User
from chalicelib.models.base import CONDITION_FAILED, TRANSACTION_CONFLICT, cancellation_codes, retried_on_conflict
from chalicelib.outbox import transaction_with
from chalicelib.queries.stories import LIFETIME_MS, oldest_active_id

# An id collision between processes is retried with a fresh id.
_ATTEMPTS = 4


def create_story(author: User, image_url: str | None, content: str | None) -> Story:
    """author: the authenticated caller, as read with their token."""
    author_id = author.user_id
    for _ in range(_ATTEMPTS):
        story_id = new_id()
        # Times derive from the id, which is what reads bound expiry by, so
        # created_at, expires_at and visibility agree to the millisecond.
        created = datetime.fromtimestamp(id_time_ms(story_id) / 1000, timezone.utc)
        story = Story(
            story_id=story_id,
            author_id=author_id,
            author_username=author.username,
            image_url=image_url,
            content=content,
            created_at=created.isoformat(),
            expires_at=created + timedelta(milliseconds=LIFETIME_MS),
        )
        created = events.Event(events.STORY_CREATED, {"story_id": story_id, "author_id": author_id})
        try:
            with transaction_with(created) as writes:
                writes.save(story, condition=Story.story_id.does_not_exist())
                # The author sees their own story at once, before the fan-out.
                writes.save(StoryFeedEntry.entry(author_id, story_id, author_id, expires_at=story.expires_at))
        except TransactWriteError as error:
            if {CONDITION_FAILED, TRANSACTION_CONFLICT} & set(cancellation_codes(error, 2)):
                continue
            raise
        return story
    raise Conflict("Could not create the story right now, please retry")


@retried_on_conflict
def delete_story(user_id: int, story_id: int) -> None:
    try:
        story = Story.get(story_id, consistent_read=True)
    except Story.DoesNotExist:
        raise NotFound("Story not found") from None
    if story_id < oldest_active_id():
        # Expired: gone for everyone, even if TTL has not removed it yet.
        raise NotFound("Story not found")
    if story.author_id != user_id:
        raise Forbidden("Not your story")
    deleted = events.Event(events.STORY_DELETED, {"story_id": story_id, "author_id": user_id})
    try:
        with transaction_with(deleted) as writes:
            writes.delete(story, condition=Story.author_id == user_id)
    except TransactWriteError as error:
        if cancellation_codes(error, 1) == [CONDITION_FAILED]:
            raise NotFound("Story not found") from None
        raise
