from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from chalicelib import events
from chalicelib.clock import now_iso
from chalicelib.commands.notifications import advance_read_mark
from chalicelib.errors import Conflict, NotFound
from chalicelib.ids import first_id_at, new_id, now_ms
from chalicelib.models import Conversation, Message, ReadMark, User, conversation_key
from chalicelib.models.base import CONDITION_FAILED, TRANSACTION_CONFLICT, cancellation_codes
from chalicelib.models.messages import LastMessage
from chalicelib.outbox import transaction_with

# An id collision between processes, or a transaction racing another on the
# same conversation, is retried with a fresh id.
_ATTEMPTS = 4


def send_message(sender_id: int, receiver_id: int, content: str) -> Message:
    if receiver_id == sender_id:
        raise Conflict("Cannot message yourself")
    try:
        User.get(receiver_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None
    for _ in range(_ATTEMPTS):
        message = Message(
            conversation_key(sender_id, receiver_id),
            new_id(),
            sender_id=sender_id,
            receiver_id=receiver_id,
            content=content,
            created_at=now_iso(),
        )
        if _save(message):
            return message
    raise Conflict("Could not send the message right now, please retry")


def _save(message: Message) -> bool:
    """The message, both participants' conversation entries and the event,
    together. False when the id collided or the transaction raced another:
    retry."""
    is_new = Message.message_id.does_not_exist()
    sent = events.Event(events.MESSAGE_SENT, {
        "message_id": message.message_id, "sender_id": message.sender_id, "receiver_id": message.receiver_id,
    })
    try:
        with transaction_with(sent) as writes:
            writes.save(message, condition=is_new)
            for user_id, other_id in ((message.sender_id, message.receiver_id),
                                      (message.receiver_id, message.sender_id)):
                # A message sent at the same moment may have committed first
                # with a newer id: the conversation must not go back to ours.
                writes.save(_conversation(user_id, other_id, message), condition=(
                    Conversation.last_message_id.does_not_exist()
                    | (Conversation.last_message_id < message.message_id)
                ))
    except TransactWriteError as error:
        codes = cancellation_codes(error, 3)
        if codes[0] == CONDITION_FAILED:
            return False
        if CONDITION_FAILED not in codes[1:]:
            if TRANSACTION_CONFLICT in codes:
                return False
            raise
        # Only the conversations failed: a newer message is already their
        # last one, so ours is stored on its own.
        try:
            with transaction_with(sent) as writes:
                writes.save(message, condition=is_new)
        except TransactWriteError as retry_error:
            if cancellation_codes(retry_error, 1)[0] in (CONDITION_FAILED, TRANSACTION_CONFLICT):
                return False
            raise
    return True


def _conversation(user_id: int, other_id: int, message: Message) -> Conversation:
    return Conversation(
        user_id,
        other_id,
        last_message_id=message.message_id,
        last_message=LastMessage(
            message_id=message.message_id,
            sender_id=message.sender_id,
            receiver_id=message.receiver_id,
            content=message.content,
            created_at=message.created_at,
        ),
    )


def mark_read(reader_id: int, sender_id: int) -> int:
    """Everything sender_id has sent reader_id so far counts as read: one
    write, however many messages that is. Returns the watermark."""
    up_to = first_id_at(now_ms() + 1)
    event = events.Event(events.MESSAGES_READ, {"reader_id": reader_id, "sender_id": sender_id, "up_to": up_to})
    advance_read_mark(reader_id, ReadMark.messages_from(sender_id), up_to, event)
    return up_to
