from chalicelib.api.http import (
    ApiBlueprint,
    authenticated_user_id,
    json_response,
    paged_response,
    parse_body,
    parse_query,
    path_id,
)
from chalicelib.api.schemas import LongPageQuery, SendMessageRequest, conversation_response, message_response
from chalicelib.commands import messages as commands
from chalicelib.queries import messages as queries

api = ApiBlueprint(__name__)


@api.route("/api/messages", methods=["POST"])
def send_message():
    sender_id = authenticated_user_id(api.current_request)
    body = parse_body(api.current_request, SendMessageRequest)
    message = commands.send_message(sender_id, body.receiver_id, body.content)
    return json_response(message_response(message, is_read=False), status=201)


@api.route("/api/messages", methods=["GET"])
def list_conversations():
    user_id = authenticated_user_id(api.current_request)
    query = parse_query(api.current_request, LongPageQuery)
    page = queries.conversations(user_id, query.page())
    return paged_response(page, lambda pair: conversation_response(*pair))


@api.route("/api/messages/{other_user_id}", methods=["GET"])
def get_conversation(other_user_id):
    user_id = authenticated_user_id(api.current_request)
    other_id = path_id(other_user_id, "User")
    query = parse_query(api.current_request, LongPageQuery)
    page = queries.conversation(user_id, other_id, query.page())
    return paged_response(page, lambda pair: message_response(*pair))


@api.route("/api/messages/{sender_id}/read", methods=["POST"])
def mark_read(sender_id):
    user_id = authenticated_user_id(api.current_request)
    commands.mark_read(user_id, path_id(sender_id, "User"))
    return {"status": "ok"}

