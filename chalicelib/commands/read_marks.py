"""Read watermarks: "everything up to this id is read", one write however
many items that covers (each conversation's messages; the notifications'
is on the user item: commands/notifications.py)."""
from __future__ import annotations

from chalicelib.events import Payload
from chalicelib.models import ReadMark
from chalicelib.writes import NOTHING_TO_DO, Writes, command


@command("save the change")
def advance_read_mark(writes: Writes, user_id: int, mark: str, up_to: int, event: Payload) -> None:
    """Moves a read watermark forward, never back (the clocks of two Lambdas
    may disagree by a little), and publishes event with it. A watermark that
    is already further changes nothing and publishes nothing."""
    writes.put(ReadMark(user_id, mark, up_to=up_to),
               condition=ReadMark.up_to.does_not_exist() | (ReadMark.up_to < up_to), otherwise=NOTHING_TO_DO)
    writes.publish(event)
