from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class NotificationsByActor(GlobalSecondaryIndex):
    """The notifications an account caused, in everyone's partitions: what
    the erasure of a deleted account removes, read or unread, including
    those whose cause was undone long ago (a read like's notification
    stays after the unlike). Several users may share one id (a post's
    mentions)."""

    Meta = index_meta("by-actor", KeysOnlyProjection)
    actor_id = NumberAttribute(hash_key=True)
    notification_id = NumberAttribute(range_key=True)


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

    by_actor = NotificationsByActor()


class NotificationKey(Model):
    """The one notification of a kind a user may have from an actor
    (CONTRACT.md: one `follow` and one `follow_request` per actor), and its
    id: claimed with a conditional put before the notification is written,
    so following again after unfollowing, or asking again, adds none. Kept
    in the unique-keys table beside the email and username claims (its
    keys, `notice#<kind>#<user id>#<actor id>`, cannot collide with
    theirs); that table is UniqueKey's, so this model is not in ALL_MODELS."""

    Meta = table_meta("unique-keys")

    key = UnicodeAttribute(hash_key=True)
    notification_id = NumberAttribute()

    @staticmethod
    def of(kind: str, user_id: int, actor_id: int) -> str:
        return f"notice#{kind}#{user_id}#{actor_id}"


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
