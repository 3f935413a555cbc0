from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import (
    ConversationResponse,
    LongPageQuery,
    MessageResponse,
    SendMessageRequest,
    StatusResponse,
    with_is_read,
)
from chalicelib.commands import messages as commands
from chalicelib.queries import messages as queries
from chalicelib.queries.paging import Page

api = ApiBlueprint(__name__, tag="messages")


@api.route("/api/messages", methods=["POST"], status=201, body=SendMessageRequest, response=MessageResponse,
           errors=(400, 404), auth=True, write=True, summary="Send a message")
def send_message(caller, body):
    message = commands.send_message(caller.user_id, body.receiver_id, body.content)
    return with_is_read(message, False)


@api.route("/api/messages", methods=["GET"], query=LongPageQuery, response=[ConversationResponse], auth=True,
           summary="My conversations, most recent first")
def list_conversations(caller, query):
    page = queries.conversations(caller.user_id, query.page())
    return Page([{"other_user_id": conversation.other_user_id, "other_user_deleted": deleted,
                  "last_message": with_is_read(conversation.last_message, is_read)}
                 for conversation, is_read, deleted in page.items], page.next_cursor)


@api.route("/api/messages/{other_user_id}", methods=["GET"], query=LongPageQuery, response=[MessageResponse],
           auth=True, summary="A conversation, both directions, newest first")
def get_conversation(caller, other_user_id, query):
    page = queries.conversation(caller.user_id, other_user_id, query.page())
    return Page([with_is_read(message, is_read) for message, is_read in page.items], page.next_cursor)


@api.route("/api/messages/{sender_id}/read", methods=["POST"], response=StatusResponse, auth=True, write=True,
           ids={"sender_id": "User"}, summary="Mark that sender's messages to me read")
def mark_read(caller, sender_id):
    commands.mark_read(caller.user_id, sender_id)
    return {"status": "ok"}
