from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class Notification(Model):
    """Written only by the notifications consumer. notification_id is the id
    of what caused it (like_id, comment_id, follow_id), so a redelivered
    event finds its notification already there."""

    Meta = table_meta("notifications")

    user_id = NumberAttribute(hash_key=True)
    notification_id = NumberAttribute(range_key=True)
    actor_id = NumberAttribute()
    type = UnicodeAttribute()
    reference_id = NumberAttribute()
    message = UnicodeAttribute()
    is_read = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


class ReadMark(Model):
    """A read watermark: everything with an id up to up_to counts as read.
    Marking all notifications, or a whole conversation, read is one write.

    mark is "messages#<sender id>" for the messages that sender sent to
    user_id, or "notifications", read-all's mark before it moved onto the
    user item (User.notifications_read_up_to), still read for accounts
    that have not marked all read since."""

    Meta = table_meta("read-marks")

    user_id = NumberAttribute(hash_key=True)
    mark = UnicodeAttribute(range_key=True)
    up_to = NumberAttribute()

    NOTIFICATIONS = "notifications"

    @staticmethod
    def messages_from(sender_id: int) -> str:
        return f"messages#{sender_id}"
