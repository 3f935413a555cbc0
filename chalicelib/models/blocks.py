from pynamodb.attributes import NumberAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class BlockedByTime(GlobalSecondaryIndex):
    """Whom a user blocked, most recent first: sparse, only the items that
    carry block_id."""

    Meta = index_meta("blocked-by-time", KeysOnlyProjection)
    user_id = NumberAttribute(hash_key=True)
    block_id = NumberAttribute(range_key=True)


class Block(Model):
    """Whether either of two users blocks the other, as user_id sees it:
    block_id while user_id blocks other_id, blocked_by_id while other_id
    blocks user_id. Both users hold an item, written in one transaction, so
    "is there a block between the viewer and u, either way" is one key,
    (viewer, u): a GetItem for one user, one BatchGetItem for a page's."""

    Meta = table_meta("blocks")

    user_id = NumberAttribute(hash_key=True)
    other_id = NumberAttribute(range_key=True)
    block_id = NumberAttribute(null=True)
    blocked_by_id = NumberAttribute(null=True)

    by_time = BlockedByTime()

    @property
    def either_way(self) -> bool:
        return self.block_id is not None or self.blocked_by_id is not None

    @classmethod
    def absent_either_way(cls):
        """The condition that neither user blocks the other (true of a missing item)."""
        return cls.block_id.does_not_exist() & cls.blocked_by_id.does_not_exist()
