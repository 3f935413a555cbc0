"""Fan-out-on-write timelines, written only by the feed consumer (and by the
author's own command for their own items, so they see them at once). No
index is keyed by the item alone: every follower's entry of one popular
post would land in one partition of it. A deletion walks the author's
followers instead (consumers/feed.py)."""
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class ByOwnerAndAuthor(GlobalSecondaryIndex):
    """The entries one author put in one owner's timeline: what an unfollow
    removes."""

    Meta = index_meta("by-owner-author", KeysOnlyProjection)
    owner_author = UnicodeAttribute(hash_key=True)
    item_id = NumberAttribute(range_key=True)


class _TimelineEntry(Model):
    owner_id = NumberAttribute(hash_key=True)
    item_id = NumberAttribute(range_key=True)
    author_id = NumberAttribute()
    owner_author = UnicodeAttribute()

    by_owner_author = ByOwnerAndAuthor()

    @classmethod
    def entry(cls, owner_id: int, item_id: int, author_id: int, **extra):
        return cls(owner_id, item_id, author_id=author_id,
                   owner_author=owner_author_key(owner_id, author_id), **extra)


def owner_author_key(owner_id: int, author_id: int) -> str:
    return f"{owner_id}#{author_id}"


class FeedEntry(_TimelineEntry):
    """A post (item_id = post id) in the feed of owner_id."""

    Meta = table_meta("feed")


class StoryFeedEntry(_TimelineEntry):
    """A story (item_id = story id) in the story feed of owner_id; gone with
    the story (TTL), and filtered by id on read until TTL catches up."""

    Meta = table_meta("story-feed")
    expires_at = TTLAttribute()


class LargeFollow(Model):
    """follower_id follows author_id, an account too large to fan out (more
    than FEED_LARGE_ACCOUNT followers): a feed read merges that author's
    newest posts in instead. Written and removed by the feed consumer."""

    Meta = table_meta("large-follows")

    follower_id = NumberAttribute(hash_key=True)
    author_id = NumberAttribute(range_key=True)
