from chalicelib.api.http import ApiBlueprint, authenticated_user_id, paged_response, parse_query, path_id
from chalicelib.api.schemas import LongPageQuery, notification_response
from chalicelib.commands import notifications as commands
from chalicelib.queries import notifications as queries

api = ApiBlueprint(__name__)


@api.route("/api/notifications", methods=["GET"])
def list_notifications():
    user_id = authenticated_user_id(api.current_request)
    query = parse_query(api.current_request, LongPageQuery)
    page = queries.notifications(user_id, query.page())
    return paged_response(page, lambda pair: notification_response(*pair))


@api.route("/api/notifications/read-all", methods=["POST"])
def mark_all_read():
    user_id = authenticated_user_id(api.current_request)
    commands.mark_all_read(user_id)
    return {"status": "ok"}


@api.route("/api/notifications/{notification_id}/read", methods=["POST"])
def mark_read(notification_id):
    user_id = authenticated_user_id(api.current_request)
    commands.mark_read(user_id, path_id(notification_id, "Notification"))
    return {"status": "ok"}
