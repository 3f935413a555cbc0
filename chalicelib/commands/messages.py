from __future__ import annotations

from chalicelib import events
from chalicelib.clock import now_iso
from chalicelib.commands.blocks import no_block_between
from chalicelib.commands.read_marks import advance_read_mark
from chalicelib.errors import Conflict, NotFound
from chalicelib.ids import first_id_at, new_id, now_ms
from chalicelib.models import Conversation, Message, ReadMark, User, conversation_key
from chalicelib.models.messages import LastMessage
from chalicelib.writes import SKIP, Writes, command


@command("send the message")
def send_message(writes: Writes, sender_id: int, receiver_id: int, content: str) -> Message:
    if receiver_id == sender_id:
        raise Conflict("Cannot message yourself")
    try:
        receiver = User.get(receiver_id)
    except User.DoesNotExist:
        raise NotFound("User not found") from None
    if receiver.deleted:
        raise NotFound("User not found")
    no_block_between(writes, sender_id, receiver_id)
    message = Message(
        conversation_key(sender_id, receiver_id),
        new_id(),
        sender_id=sender_id,
        receiver_id=receiver_id,
        content=content,
        created_at=now_iso(),
    )
    writes.put(message, condition=Message.message_id.does_not_exist())
    for user_id, other_id in ((sender_id, receiver_id), (receiver_id, sender_id)):
        # A message sent at the same moment may have committed first with a
        # newer id: the conversation stays with it, and ours is stored alone.
        writes.put(_conversation(user_id, other_id, message), condition=(
            Conversation.last_message_id.does_not_exist() | (Conversation.last_message_id < message.message_id)
        ), otherwise=SKIP)
    writes.publish(events.MessageSent(message_id=message.message_id, sender_id=sender_id, receiver_id=receiver_id))
    return message


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
    advance_read_mark(reader_id, ReadMark.messages_from(sender_id), up_to,
                      events.MessagesRead(reader_id=reader_id, sender_id=sender_id, up_to=up_to))
    return up_to
