from pynamodb.attributes import ListAttribute, MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib import media_files
from chalicelib.models.base import Model, table_meta

PENDING, READY, REJECTED = "pending", "ready", "rejected"


class Media(Model):
    """A photo its owner uploads straight to the media bucket, then attaches
    to one post, story or profile (used_by, set once by a conditional write
    in that item's transaction).

    Until it is used, expires_at lets DynamoDB's TTL remove it a day after
    its creation; using it removes expires_at (a story's media takes the
    story's instead). Its files live under keys made from media_id and
    token, a random part chosen when they are written, so that nobody can
    guess another photo's URL."""

    Meta = table_meta("media")

    media_id = NumberAttribute(hash_key=True)
    owner_id = NumberAttribute()
    status = UnicodeAttribute(default=PENDING)
    reason = UnicodeAttribute(null=True)
    content_type = UnicodeAttribute()
    size_bytes = NumberAttribute()  # as declared: the upload form allows no more
    token = UnicodeAttribute(null=True)  # once ready
    width = NumberAttribute(null=True)  # of the large rendition, once ready
    height = NumberAttribute(null=True)
    used_by = UnicodeAttribute(null=True)  # "post:<id>", "story:<id>" or "profile:<user id>"
    created_at = UnicodeAttribute()
    expires_at = TTLAttribute(null=True)

    @property
    def url(self) -> str | None:
        return media_files.rendition_url(self.media_id, self.token, "large") if self.status == READY else None

    @property
    def thumbnail_url(self) -> str | None:
        return media_files.rendition_url(self.media_id, self.token, "thumbnail") if self.status == READY else None


class MediaItem(MapAttribute):
    """A ready media as a post, story or profile shows it, copied in when it
    is claimed (ready media never change), so that reading a post reads no
    media. The URLs carry the stage's MEDIA_BASE_URL at that moment."""

    media_id = NumberAttribute()
    url = UnicodeAttribute()
    thumbnail_url = UnicodeAttribute()
    width = NumberAttribute()
    height = NumberAttribute()

    @classmethod
    def of(cls, media: Media) -> "MediaItem":
        return cls(media_id=media.media_id, url=media.url, thumbnail_url=media.thumbnail_url,
                   width=media.width, height=media.height)


class MediaItems(ListAttribute):
    """A list of MediaItem. pynamodb builds a MediaItem, deep-copying its
    attributes, to read any such list, an empty one too: about 60 µs on
    every post read, most posts having no photo."""

    def __init__(self, **kwargs):
        super().__init__(of=MediaItem, **kwargs)

    def deserialize(self, values):
        return super().deserialize(values) if values else []
