"""Data export (docs/accounts.md): the archive is written by the exports
consumer and mailed by the mail consumer, never here."""
from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import ExportResponse
from chalicelib.commands import exports

api = ApiBlueprint(__name__, tag="users")


@api.route("/api/users/me/export", methods=["POST"], status=202, response=ExportResponse, auth=True, write=True,
           summary="Start an export of my data (the one still pending, if any)")
def request_export(caller):
    return exports.as_shown(exports.request_export(caller))


@api.route("/api/users/me/export", methods=["GET"], response=ExportResponse, errors=(404,), auth=True,
           summary="My latest export: its status, and once ready a link valid 24 hours")
def latest_export(caller):
    return exports.as_shown(exports.shown_export(caller.user_id))
