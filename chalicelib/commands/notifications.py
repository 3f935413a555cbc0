from __future__ import annotations

from pynamodb.exceptions import PutError, UpdateError

from chalicelib import events
from chalicelib.errors import NotFound
from chalicelib.ids import first_id_at, now_ms
from chalicelib.models import Notification, ReadMark
from chalicelib.models.base import condition_failed
from chalicelib.publisher import publish


def mark_read(user_id: int, notification_id: int) -> None:
    try:
        # The key includes user_id, so "exists" also means "is mine".
        Notification(user_id, notification_id).update(
            actions=[Notification.is_read.set(True)],
            condition=Notification.notification_id.exists(),
        )
    except UpdateError as error:
        if condition_failed(error):
            raise NotFound("Notification not found") from None
        raise
    publish(events.Event(events.NOTIFICATION_READ, {"user_id": user_id, "notification_id": notification_id}))


def mark_all_read(user_id: int) -> int:
    """Every notification so far counts as read: one write, however many
    there are. Returns the watermark."""
    up_to = first_id_at(now_ms() + 1)
    advance_read_mark(user_id, ReadMark.NOTIFICATIONS, up_to)
    publish(events.Event(events.NOTIFICATIONS_READ_ALL, {"user_id": user_id, "up_to": up_to}))
    return up_to


def advance_read_mark(user_id: int, mark: str, up_to: int) -> None:
    """Moves a read watermark forward, never back: the clocks of two Lambdas
    may disagree by a little."""
    try:
        ReadMark(user_id, mark, up_to=up_to).save(
            condition=ReadMark.up_to.does_not_exist() | (ReadMark.up_to < up_to)
        )
    except PutError as error:
        if not condition_failed(error):
            raise
