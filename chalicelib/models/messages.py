from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import Model, index_meta, table_meta


def conversation_key(user_a: int, user_b: int) -> str:
    low, high = sorted((user_a, user_b))
    return f"{low}#{high}"


class Message(Model):
    """Both directions of a conversation share one partition."""

    Meta = table_meta("messages")

    conversation = UnicodeAttribute(hash_key=True)
    message_id = NumberAttribute(range_key=True)
    sender_id = NumberAttribute()
    receiver_id = NumberAttribute()
    content = UnicodeAttribute()
    created_at = UnicodeAttribute()


class LastMessage(MapAttribute):
    message_id = NumberAttribute()
    sender_id = NumberAttribute()
    receiver_id = NumberAttribute()
    content = UnicodeAttribute()
    created_at = UnicodeAttribute()


class ConversationsByRecency(GlobalSecondaryIndex):
    Meta = index_meta("by-recency", AllProjection)
    user_id = NumberAttribute(hash_key=True)
    last_message_id = NumberAttribute(range_key=True)


class Conversation(Model):
    """One per (user, partner), updated with every message sent: the
    conversation list is one Query on by_recency."""

    Meta = table_meta("conversations")

    user_id = NumberAttribute(hash_key=True)
    other_user_id = NumberAttribute(range_key=True)
    last_message_id = NumberAttribute()
    last_message = LastMessage()

    by_recency = ConversationsByRecency()
