from __future__ import annotations

from chalicelib.models import Conversation, Message, ReadMark, User, conversation_key
from chalicelib.queries.loading import fetch_many, fetch_together
from chalicelib.queries.paging import Page, PageRequest, query_page


def conversations(user_id: int, page: PageRequest) -> Page[tuple[Conversation, bool, bool]]:
    """(conversation, is its last message read, is the other account
    deleted), most recent first: one Query on by_recency and one
    BatchGetItem of the read marks involved and of the other users. A
    deleted account's messages stay on the other side (docs/accounts.md):
    its conversations are listed, the partner shown as a deleted account."""
    found = query_page(
        lambda **kwargs: Conversation.by_recency.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"conversations:{user_id}",
        key_attributes=(Conversation.user_id, Conversation.other_user_id, Conversation.last_message_id),
    )
    messages = [conversation.last_message for conversation in found.items]
    marks, others = fetch_together((ReadMark, _read_mark_keys(messages)),
                                   (User, [conversation.other_user_id for conversation in found.items]))
    up_to = _up_to(messages, marks)
    return Page(
        [(conversation, _is_read(conversation.last_message, up_to),
          conversation.other_user_id in others and others[conversation.other_user_id].deleted)
         for conversation in found.items],
        found.next_cursor,
    )


def conversation(user_id: int, other_user_id: int, page: PageRequest) -> Page[tuple[Message, bool]]:
    """Messages between the two, both directions, newest first. The
    partition is named by the caller's own id, so nobody else's
    conversations can be reached."""
    key = conversation_key(user_id, other_user_id)
    found = query_page(
        lambda **kwargs: Message.query(key, scan_index_forward=False, **kwargs),
        page,
        scope=f"conversation:{key}",
        key_attributes=(Message.conversation, Message.message_id),
    )
    up_to = _read_marks(found.items)
    return Page([(message, _is_read(message, up_to)) for message in found.items], found.next_cursor)


def _read_marks(messages) -> dict:
    """{(receiver, sender): up_to} for the directions these messages take."""
    return _up_to(messages, fetch_many(ReadMark, _read_mark_keys(messages)))


def _read_mark_keys(messages) -> list:
    return [(message.receiver_id, ReadMark.messages_from(message.sender_id)) for message in messages]


def _up_to(messages, marks: dict) -> dict:
    directions = {(message.receiver_id, message.sender_id) for message in messages}
    return {
        (receiver, sender): marks[(receiver, ReadMark.messages_from(sender))].up_to
        for receiver, sender in directions
        if (receiver, ReadMark.messages_from(sender)) in marks
    }


def _is_read(message, up_to: dict) -> bool:
    """Read when the receiver's watermark for this sender has passed it."""
    return message.message_id <= up_to.get((message.receiver_id, message.sender_id), 0)
