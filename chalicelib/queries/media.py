from chalicelib.errors import NotFound
from chalicelib.models import Media


def media_of(owner_id: int, media_id: int) -> Media:
    """Someone else's media is not found, as a media that does not exist."""
    try:
        media = Media.get(media_id, consistent_read=True)
    except Media.DoesNotExist:
        raise NotFound("Media not found") from None
    if media.owner_id != owner_id:
        raise NotFound("Media not found")
    return media
