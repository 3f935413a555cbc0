from datetime import datetime, timezone

from chalicelib.errors import NotFound
from chalicelib.models import Media


def media_of(owner_id: int, media_id: int) -> Media:
    """Someone else's media is not found, as a media that does not exist,
    and so is an expired one that TTL has not removed yet."""
    try:
        media = Media.get(media_id, consistent_read=True)
    except Media.DoesNotExist:
        raise NotFound("Media not found") from None
    if media.owner_id != owner_id or (media.expires_at and media.expires_at <= datetime.now(timezone.utc)):
        raise NotFound("Media not found")
    return media
