from __future__ import annotations

from chalicelib import events
from chalicelib.errors import NotFound
from chalicelib.ids import first_id_at, now_ms
from chalicelib.models import Notification, User
from chalicelib.writes import NOTHING_TO_DO, Writes, command


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
    advance_read_all_mark(user_id, up_to)
    return up_to


@command("save the change")
def advance_read_all_mark(writes: Writes, user_id: int, up_to: int) -> None:
    """Moves the mark forward, never back (the clocks of two Lambdas may
    disagree by a little); a mark already further changes and publishes
    nothing."""
    mark = User.notifications_read_up_to
    writes.update(User(user_id), [mark.set(up_to)],
                  condition=User.user_id.exists() & (mark.does_not_exist() | (mark < up_to)),
                  otherwise=NOTHING_TO_DO)
    writes.publish(events.NotificationsReadAll(user_id=user_id, up_to=up_to))
