from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import LongPageQuery, NotificationResponse, StatusResponse, with_is_read
from chalicelib.commands import notifications as commands
from chalicelib.queries import notifications as queries
from chalicelib.queries.paging import Page

api = ApiBlueprint(__name__, tag="notifications")


@api.route("/api/notifications", methods=["GET"], query=LongPageQuery, response=[NotificationResponse],
           auth=True, summary="My notifications, newest first")
def list_notifications(caller, query):
    page = queries.notifications(caller, query.page())
    return Page([with_is_read(notification, is_read) for notification, is_read in page.items], page.next_cursor)


@api.route("/api/notifications/{notification_id}/read", methods=["POST"], response=StatusResponse, auth=True,
           write=True, summary="Mark one of my notifications read")
def mark_read(caller, notification_id):
    commands.mark_read(caller.user_id, notification_id)
    return {"status": "ok"}


@api.route("/api/notifications/read-all", methods=["POST"], response=StatusResponse, auth=True, write=True,
           summary="Mark all my notifications read")
def mark_all_read(caller):
    commands.mark_all_read(caller.user_id)
    return {"status": "ok"}
