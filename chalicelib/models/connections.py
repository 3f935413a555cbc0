from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class ConnectionsById(GlobalSecondaryIndex):
    """A connection's user, by its id: $disconnect is told only the id."""

    Meta = index_meta("by-connection-id", KeysOnlyProjection)
    connection_id = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute(range_key=True)


class LiveConnection(Model):
    """An open WebSocket of a user (docs/realtime.md): written by $connect,
    deleted by $disconnect, or by the push consumer when API Gateway says
    the connection is gone. API Gateway ends every connection after two
    hours, so TTL removes what a lost $disconnect left behind."""

    Meta = table_meta("connections")

    user_id = NumberAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)
    expires_at = TTLAttribute()

    by_id = ConnectionsById()
