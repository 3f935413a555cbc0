from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class OutboxEntry(Model):
    """An event written in the same transaction as the change it describes,
    deleted once published. Spread over a few shards (random) so that no
    partition is hot; the relay Queries each shard for old entries."""

    Meta = table_meta("outbox")

    shard = NumberAttribute(hash_key=True)
    entry_id = NumberAttribute(range_key=True)
    event = UnicodeAttribute()

    SHARDS = 8
