from __future__ import annotations

from chalicelib.models import Notification, ReadMark, User
from chalicelib.queries.access import without_blocked_or_deleted
from chalicelib.queries.paging import Page, PageRequest, query_page


def notifications(user: User, page: PageRequest) -> Page[tuple[Notification, bool]]:
    """(notification, is it read), newest first: one Query and one
    BatchGetItem of the user's block items for the actors and of the actors
    themselves: nothing from
    anyone blocked either way shows, also what was made before the block,
    nor anything a deleted account caused (the same BatchGetItem reads the
    actors: until the erasure removes them, they are hidden, not shown as
    from a deleted account).
    The read-all mark comes with the user item, which the caller has read."""
    user_id = user.user_id
    found = query_page(
        lambda **kwargs: Notification.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"notifications:{user_id}",
        key_attributes=(Notification.user_id, Notification.notification_id),
    )
    up_to = read_all_mark(user)
    shown = without_blocked_or_deleted(user_id, found.items, lambda notification: notification.actor_id)
    return Page([(item, item.is_read or item.notification_id <= up_to) for item in shown], found.next_cursor)


def read_all_mark(user: User) -> int:
    """Notifications with an id up to this were all marked read at once."""
    if user.notifications_read_up_to is not None:
        return user.notifications_read_up_to
    try:  # an account from before the mark moved onto the user item
        return ReadMark.get(user.user_id, ReadMark.NOTIFICATIONS, consistent_read=True).up_to
    except ReadMark.DoesNotExist:
        return 0
