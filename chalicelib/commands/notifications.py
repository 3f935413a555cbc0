from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.errors import NotFound
from chalicelib.ids import first_id_at, now_ms
from chalicelib.models import Notification, ReadMark
from chalicelib.models.base import CONDITION_FAILED, cancellation_codes, retried_on_conflict
from chalicelib.outbox import transaction_with


@retried_on_conflict
def mark_read(user_id: int, notification_id: int) -> None:
    read = events.Event(events.NOTIFICATION_READ, {"user_id": user_id, "notification_id": notification_id})
    try:
        with transaction_with(read) as writes:
            # The key includes user_id, so "exists" also means "is mine".
            writes.update(
                Notification(user_id, notification_id),
                actions=[Notification.is_read.set(True)],
                condition=Notification.notification_id.exists(),
            )
    except TransactWriteError as error:
        if cancellation_codes(error, 1) == [CONDITION_FAILED]:
            raise NotFound("Notification not found") from None
        raise


def mark_all_read(user_id: int) -> int:
    """Every notification so far counts as read: one write, however many
    there are. Returns the watermark."""
    up_to = first_id_at(now_ms() + 1)
    event = events.Event(events.NOTIFICATIONS_READ_ALL, {"user_id": user_id, "up_to": up_to})
    advance_read_mark(user_id, ReadMark.NOTIFICATIONS, up_to, event)
    return up_to


@retried_on_conflict
def advance_read_mark(user_id: int, mark: str, up_to: int, event: events.Event) -> None:
    """Moves a read watermark forward, never back (the clocks of two Lambdas
    may disagree by a little), and records event with it. A watermark that is
    already further changes nothing and publishes nothing."""
    try:
        with transaction_with(event) as writes:
            writes.save(ReadMark(user_id, mark, up_to=up_to),
                        condition=ReadMark.up_to.does_not_exist() | (ReadMark.up_to < up_to))
    except TransactWriteError as error:
        if cancellation_codes(error, 1) != [CONDITION_FAILED]:
            raise
