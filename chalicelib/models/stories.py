from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib import ids
from chalicelib.models.base import Model, index_meta, table_meta
from chalicelib.models.media import MediaItem

LIFETIME_MS = 24 * 3600 * 1000


def oldest_active_id() -> int:
    """Stories with an id below this are expired: every read and write of
    stories (commands, queries, the feed consumer) goes by it."""
    return ids.first_id_at(ids.now_ms() - LIFETIME_MS)


class StoriesByAuthor(GlobalSecondaryIndex):
    Meta = index_meta("by-author", AllProjection)
    author_id = NumberAttribute(hash_key=True)
    story_id = NumberAttribute(range_key=True)


class Story(Model):
    """Visible for 24 hours. DynamoDB's TTL deletes it later than that, so
    reads also bound story_id from below (ids carry their creation time)."""

    Meta = table_meta("stories")

    story_id = NumberAttribute(hash_key=True)
    author_id = NumberAttribute()
    author_username = UnicodeAttribute()
    image_url = UnicodeAttribute(null=True)  # with media, its url
    media = MediaItem(null=True)
    content = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    expires_at = TTLAttribute()

    by_author = StoriesByAuthor()
