from pynamodb.attributes import NumberAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class SavedByUser(GlobalSecondaryIndex):
    """A user's saved posts, most recently saved last: sparse, only marks
    that carry saved_id are in it."""

    Meta = index_meta("saved", AllProjection)
    user_id = NumberAttribute(hash_key=True)
    saved_id = NumberAttribute(range_key=True)


class MarksOfPost(GlobalSecondaryIndex):
    """Every mark on one post: what its deletion removes."""

    Meta = index_meta("by-post", KeysOnlyProjection)
    post_id = NumberAttribute(hash_key=True)
    user_id = NumberAttribute(range_key=True)


class Mark(Model):
    """What one user has done to one post, in one item, so that a page of
    posts learns both flags of its viewer (liked_by_me, saved_by_me) from one
    BatchGetItem of at most 100 keys. like_id is set while the user likes the
    post (the likes table stays the record of likes); saved_id, time-ordered,
    while they have it saved."""

    Meta = table_meta("marks")

    user_id = NumberAttribute(hash_key=True)
    post_id = NumberAttribute(range_key=True)
    like_id = NumberAttribute(null=True)
    saved_id = NumberAttribute(null=True)

    saved = SavedByUser()
    by_post = MarksOfPost()
