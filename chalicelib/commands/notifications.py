from __future__ import annotations

from chalicelib import events
from chalicelib.commands.read_marks import advance_read_mark
from chalicelib.errors import NotFound
from chalicelib.ids import first_id_at, now_ms
from chalicelib.models import Notification, ReadMark
from chalicelib.writes import Writes, command


@command("save the change")
def mark_read(writes: Writes, user_id: int, notification_id: int) -> None:
    # The key includes user_id, so "exists" also means "is mine".
    writes.update(Notification(user_id, notification_id), [Notification.is_read.set(True)],
                  condition=Notification.notification_id.exists(), otherwise=NotFound("Notification not found"))
    writes.publish(events.NotificationRead(user_id=user_id, notification_id=notification_id))


def mark_all_read(user_id: int) -> int:
    """Every notification so far counts as read: one write, however many
    there are. Returns the watermark."""
    up_to = first_id_at(now_ms() + 1)
    advance_read_mark(user_id, ReadMark.NOTIFICATIONS, up_to, events.NotificationsReadAll(user_id=user_id, up_to=up_to))
    return up_to
