"""Push consumer: what a user should see live, sent to their open
WebSockets (docs/realtime.md): a message to its receiver, a new
notification to its owner, a read receipt to the sender of the messages
read; and a password change, or the account's deletion, closes the
user's sockets.

The connections are looked up first (one Query), so that an event for a
user with none costs nothing more. Blocks hold as on reads: nothing goes
between two users when either blocks the other, also for an event that was
on its way when the block happened. A notification that was taken back
meanwhile (an unlike) is not pushed.

Delivery is at least once, as every consumer's: an event redelivered after
a failure sends its frame again, to connections that may have had it. A
frame names its message or notification by id, so a client keeps one of
each.
"""
from __future__ import annotations

from pydantic import BaseModel

from chalicelib import realtime
from chalicelib.api.schemas import MessageResponse, NotificationResponse, with_is_read
from chalicelib.events import (
    Event,
    MessageSent,
    MessagesRead,
    NotificationCreated,
    UserDeleted,
    UserPasswordChanged,
)
from chalicelib.models import Message, Notification, conversation_key
from chalicelib.models.base import stored_now
from chalicelib.queries.access import blocked_either_way


def push_message(event: Event[MessageSent]) -> None:
    sent = event.payload
    connections = realtime.connections_of(sent.receiver_id)
    if not connections or blocked_either_way(sent.receiver_id, sent.sender_id):
        return
    message = stored_now(Message, conversation_key(sent.sender_id, sent.receiver_id), sent.message_id)
    if message is None:
        return
    realtime.send_all(sent.receiver_id, connections,
                      {"type": "message", "message": _shaped(MessageResponse, with_is_read(message, False))})


def push_notification(event: Event[NotificationCreated]) -> None:
    created = event.payload
    connections = realtime.connections_of(created.user_id)
    if not connections:
        return
    notification = stored_now(Notification, created.user_id, created.notification_id)
    if notification is None or blocked_either_way(created.user_id, notification.actor_id):
        return
    shaped = _shaped(NotificationResponse, with_is_read(notification, notification.is_read))
    realtime.send_all(created.user_id, connections, {"type": "notification", "notification": shaped})


def push_read_receipt(event: Event[MessagesRead]) -> None:
    read = event.payload
    connections = realtime.connections_of(read.sender_id)
    if not connections or blocked_either_way(read.sender_id, read.reader_id):
        return
    realtime.send_all(read.sender_id, connections, {"type": "messages.read", "reader_id": read.reader_id})


def close_sessions(event: Event[UserPasswordChanged | UserDeleted]) -> None:
    """A password change (or reset) retires every token issued before it,
    and a deletion every token; a socket opened with one of them is closed
    too, or it would stay open for up to two hours (a stolen token's
    receiving what the account is sent)."""
    realtime.close_all(event.payload.user_id)


def _shaped(model: type[BaseModel], value: dict) -> dict:
    """As the HTTP API answers it: the frame carries the contract's shape."""
    return model.model_validate(value).model_dump(mode="json")


HANDLERS = {
    MessageSent: push_message,
    NotificationCreated: push_notification,
    MessagesRead: push_read_receipt,
    UserPasswordChanged: close_sessions,
    UserDeleted: close_sessions,
}
