"""Data exports: the request side. The archive is written by the exports
consumer (chalicelib/consumers/exports.py) and mailed by the mail consumer."""
from __future__ import annotations

from datetime import datetime

from chalicelib import clock, events, media_files, rate_limits
from chalicelib.clock import now_iso
from chalicelib.config import account_mail_limits
from chalicelib.errors import NotFound
from chalicelib.ids import new_id
from chalicelib.models import Export, User
from chalicelib.models.exports import PENDING
from chalicelib.writes import Writes, command

DAY = 24 * 3600


def latest_export(user_id: int, consistent: bool = False) -> Export | None:
    return next(iter(Export.query(user_id, scan_index_forward=False, limit=1, consistent_read=consistent)), None)


def request_export(user: User) -> Export:
    """A new pending export, or the one still pending (which counts nothing)."""
    latest = latest_export(user.user_id, consistent=True)
    if latest is not None and latest.status == PENDING:
        return latest
    rate_limits.hit(f"exports#{user.user_id}", account_mail_limits()["exports"], DAY)
    return _start_export(user.user_id)


@command("start the export")
def _start_export(writes: Writes, user_id: int) -> Export:
    export = Export(user_id, new_id(), status=PENDING, requested_at=now_iso())
    writes.put(export, condition=Export.export_id.does_not_exist())
    writes.publish(events.ExportRequested(user_id=user_id, export_id=export.export_id))
    return export


def shown_export(user_id: int) -> Export:
    export = latest_export(user_id)
    if export is None:
        raise NotFound("No export yet")
    return export


def as_shown(export: Export) -> dict:
    """The export as ExportResponse shows it: a ready one with a link signed
    now (locally: no call), valid until its expires_at."""
    url = None
    if export.object_key and export.expires_at:
        left = int((datetime.fromisoformat(export.expires_at) - clock.now()).total_seconds())
        url = media_files.export_url(export.object_key, left) if left > 0 else None
    return {"status": export.status, "requested_at": export.requested_at, "url": url, "expires_at": export.expires_at}
