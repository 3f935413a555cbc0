"""Direct messages: POST/GET /api/messages, GET /api/messages/{other},
POST /api/messages/{sender}/read."""
import pytest

from chalicelib import events
from chalicelib.commands import messages as message_commands
from chalicelib.models import Conversation, Message, ReadMark, conversation_key
from tests.helpers import (
    TOKEN_CHECK,
    cursor_pages,
    get,
    get_json,
    next_cursor,
    of_types,
    post_json,
    register_and_login,
)

# What the message commands publish (`published` records every event).
MESSAGE_EVENTS = (events.MessageSent.type, events.MessagesRead.type)


def send(client, token, receiver_id, content="hello"):
    return post_json(client, "/api/messages", {"receiver_id": receiver_id, "content": content}, token)


def sent(client, token, receiver_id, content="hello") -> dict:
    response = send(client, token, receiver_id, content)
    assert response.status_code == 201, response.json_body
    return response.json_body


def thread(client, token, other_id, query="") -> list[dict]:
    return get_json(client, f"/api/messages/{other_id}{query}", token)


def inbox(client, token, query="") -> list[dict]:
    return get_json(client, f"/api/messages{query}", token)


def mark_read(client, token, sender_id):
    return post_json(client, f"/api/messages/{sender_id}/read", token=token)


def seed_messages(sender_id: int, receiver_id: int, count: int) -> None:
    """Messages 1..count from sender to receiver, written directly."""
    key = conversation_key(sender_id, receiver_id)
    with Message.batch_write() as batch:
        for number in range(1, count + 1):
            batch.save(Message(key, number, sender_id=sender_id, receiver_id=receiver_id, content="hi",
                               created_at="2026-01-01T00:00:00+00:00"))


@pytest.fixture
def carol(client):
    return register_and_login(client)


# POST /api/messages

def test_sending_a_message_returns_it_unread(client, alice, bob, published):
    (a, a_token), (b, _) = alice, bob
    response = send(client, a_token, b["id"], "hi Bob")
    assert response.status_code == 201
    body = response.json_body
    assert set(body) == {"id", "sender_id", "receiver_id", "content", "is_read", "created_at"}
    assert body["sender_id"] == a["id"] and body["receiver_id"] == b["id"]
    assert body["content"] == "hi Bob"
    assert body["is_read"] is False
    assert isinstance(body["id"], int) and 0 < body["id"] <= 2**53 - 1
    assert body["created_at"].endswith("+00:00")
    assert [(e.type, e.data) for e in of_types(published, MESSAGE_EVENTS)] == [
        (events.MessageSent.type, {"message_id": body["id"], "sender_id": a["id"], "receiver_id": b["id"]})
    ]


def test_a_message_is_stored_once_with_both_conversation_entries(client, alice, bob):
    (a, a_token), (b, _) = alice, bob
    message = sent(client, a_token, b["id"])
    [stored] = Message.query(conversation_key(a["id"], b["id"]))
    assert stored.message_id == message["id"]
    for owner, other in ((a["id"], b["id"]), (b["id"], a["id"])):
        entry = Conversation.get(owner, other)
        assert entry.last_message_id == message["id"]
        assert entry.last_message.content == "hello"


def test_messaging_an_unknown_user_is_404_and_stores_nothing(client, alice, published):
    a, a_token = alice
    response = send(client, a_token, 987654321)
    assert response.status_code == 404
    assert response.json_body == {"detail": "User not found"}
    assert list(Conversation.query(a["id"])) == []
    assert of_types(published, MESSAGE_EVENTS) == []


def test_messaging_yourself_is_400(client, alice, published):
    a, a_token = alice
    response = send(client, a_token, a["id"])
    assert response.status_code == 400
    assert response.json_body == {"detail": "Cannot message yourself"}
    assert inbox(client, a_token) == []
    assert of_types(published, MESSAGE_EVENTS) == []


@pytest.mark.parametrize("body, field", [
    ({"content": "hi"}, "receiver_id"),
    ({"receiver_id": 1}, "content"),
    ({"receiver_id": 1, "content": "   "}, "content"),
    ({"receiver_id": 1, "content": "x" * 1001}, "content"),
    ({"receiver_id": 0, "content": "hi"}, "receiver_id"),
    ({"receiver_id": "one", "content": "hi"}, "receiver_id"),
    ({"receiver_id": 1, "content": 5}, "content"),
])
def test_an_invalid_message_is_422_naming_the_field(client, alice, body, field):
    _, a_token = alice
    response = post_json(client, "/api/messages", body, a_token)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith(field)


def test_malformed_json_is_400(client, alice):
    _, a_token = alice
    response = client.post("/api/messages", body=b"{not json",
                           headers={"Content-Type": "application/json", "Authorization": f"Bearer {a_token}"})
    assert response.status_code == 400


@pytest.mark.parametrize("method, path", [
    ("POST", "/api/messages"),
    ("GET", "/api/messages"),
    ("GET", "/api/messages/1"),
    ("POST", "/api/messages/1/read"),
])
def test_every_message_endpoint_needs_a_token(client, method, path):
    response = client.request(method, path, headers={"Content-Type": "application/json"}, body=b"{}")
    assert response.status_code == 401
    assert response.json_body == {"detail": "Not authenticated"}


# GET /api/messages/{other_user_id}

def test_a_conversation_shows_both_directions_newest_first(client, alice, bob):
    (a, a_token), (b, b_token) = alice, bob
    first = sent(client, a_token, b["id"], "one")
    second = sent(client, b_token, a["id"], "two")
    third = sent(client, a_token, b["id"], "three")
    expected = [third["id"], second["id"], first["id"]]
    assert [m["id"] for m in thread(client, a_token, b["id"])] == expected
    assert [m["id"] for m in thread(client, b_token, a["id"])] == expected
    assert [m["content"] for m in thread(client, a_token, b["id"])] == ["three", "two", "one"]


def test_a_conversation_shows_only_the_callers_own_messages(client, alice, bob, carol):
    (a, a_token), (b, b_token), (_, c_token) = alice, bob, carol
    sent(client, a_token, b["id"], "private")
    sent(client, c_token, b["id"], "from carol")
    # Carol asking for "the conversation with Bob" gets hers, never Alice's.
    assert [m["content"] for m in thread(client, c_token, b["id"])] == ["from carol"]
    assert thread(client, c_token, a["id"]) == []
    assert [m["content"] for m in thread(client, b_token, a["id"])] == ["private"]


def test_a_conversation_with_a_stranger_or_unknown_user_is_empty(client, alice, bob):
    (_, a_token), (b, _) = alice, bob
    assert thread(client, a_token, b["id"]) == []
    assert thread(client, a_token, 987654321) == []


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", str(2**53)])
def test_a_conversation_path_id_that_is_not_a_positive_integer_is_404(client, alice, bad):
    _, a_token = alice
    response = get(client, f"/api/messages/{bad}", a_token)
    assert response.status_code == 404
    assert response.json_body == {"detail": "User not found"}


def test_a_conversation_pages_by_cursor_without_repeats_or_gaps(client, alice, bob):
    (a, a_token), (b, b_token) = alice, bob
    ids = [sent(client, a_token if n % 2 else b_token, b["id"] if n % 2 else a["id"], f"m{n}")["id"]
           for n in range(7)]
    pages = cursor_pages(client, f"/api/messages/{b['id']}?limit=3", a_token)
    assert all(len(page) <= 3 for page in pages)
    seen = [m["id"] for page in pages for m in page]
    assert seen == ids[::-1]


def test_a_conversation_pages_by_offset(client, alice, bob):
    (_, a_token), (b, _) = alice, bob
    ids = [sent(client, a_token, b["id"], f"m{n}")["id"] for n in range(5)]
    page = get(client, f"/api/messages/{b['id']}?limit=2&offset=2", a_token)
    assert [m["id"] for m in page.json_body] == ids[::-1][2:4]
    assert next_cursor(page) is not None
    last = get(client, f"/api/messages/{b['id']}?limit=2&offset=4", a_token)
    assert [m["id"] for m in last.json_body] == ids[:1]
    assert next_cursor(last) is None


def test_a_conversation_comes_fifty_to_a_page_by_default(client, alice, bob):
    (a, _), (b, b_token) = alice, bob
    seed_messages(a["id"], b["id"], 51)
    response = get(client, f"/api/messages/{a['id']}", b_token)
    assert [m["id"] for m in response.json_body] == list(range(51, 1, -1))
    assert next_cursor(response) is not None


def test_a_cursor_of_another_conversation_is_422(client, alice, bob, carol):
    (_, a_token), (b, _), (c, _) = alice, bob, carol
    for _ in range(3):
        sent(client, a_token, b["id"])
    sent(client, a_token, c["id"])
    cursor = next_cursor(get(client, f"/api/messages/{b['id']}?limit=1", a_token))
    response = get(client, f"/api/messages/{c['id']}?cursor={cursor}", a_token)
    assert response.status_code == 422
    assert response.json_body["detail"].startswith("cursor")


@pytest.mark.parametrize("query, field", [("limit=0", "limit"), ("limit=101", "limit"), ("offset=-1", "offset"),
                                          ("cursor=garbage", "cursor")])
def test_bad_paging_parameters_are_422(client, alice, bob, query, field):
    (_, a_token), (b, _) = alice, bob
    for path in (f"/api/messages/{b['id']}?{query}", f"/api/messages?{query}"):
        response = get(client, path, a_token)
        assert response.status_code == 422
        assert response.json_body["detail"].startswith(field)


# GET /api/messages

def test_the_inbox_has_one_conversation_per_partner_most_recent_first(client, alice, bob, carol):
    (a, a_token), (b, b_token), (c, c_token) = alice, bob, carol
    sent(client, a_token, b["id"], "to bob 1")
    sent(client, c_token, a["id"], "from carol")
    latest = sent(client, b_token, a["id"], "from bob")
    conversations = inbox(client, a_token)
    assert [(conv["other_user_id"], conv["last_message"]["content"]) for conv in conversations] == [
        (b["id"], "from bob"), (c["id"], "from carol"),
    ]
    assert conversations[0]["last_message"] == {**latest, "is_read": False}
    # A new message moves its conversation to the top.
    sent(client, a_token, c["id"], "back to carol")
    assert [(conv["other_user_id"], conv["last_message"]["content"]) for conv in inbox(client, a_token)] == [
        (c["id"], "back to carol"), (b["id"], "from bob"),
    ]
    assert [conv["other_user_id"] for conv in inbox(client, b_token)] == [a["id"]]
    assert [conv["other_user_id"] for conv in inbox(client, c_token)] == [a["id"]]


def test_an_empty_inbox_is_an_empty_list(client, alice):
    _, a_token = alice
    response = get(client, "/api/messages", a_token)
    assert response.status_code == 200
    assert response.json_body == []
    assert next_cursor(response) is None


def test_the_inbox_pages_by_cursor_and_offset(client, alice):
    a, a_token = alice
    partners = [register_and_login(client) for _ in range(5)]
    for partner, token in partners:
        sent(client, token, a["id"])
    expected = [partner["id"] for partner, _ in reversed(partners)]
    seen = [conv["other_user_id"] for page in cursor_pages(client, "/api/messages?limit=2", a_token) for conv in page]
    assert seen == expected
    by_offset = get(client, "/api/messages?limit=2&offset=3", a_token).json_body
    assert [conv["other_user_id"] for conv in by_offset] == expected[3:5]


# POST /api/messages/{sender_id}/read and is_read

def test_marking_a_senders_messages_read_marks_them_read_for_both_sides(client, alice, bob, published):
    (a, a_token), (b, b_token) = alice, bob
    sent(client, a_token, b["id"], "one")
    sent(client, a_token, b["id"], "two")
    assert [m["is_read"] for m in thread(client, a_token, b["id"])] == [False, False]
    assert inbox(client, a_token)[0]["last_message"]["is_read"] is False

    response = mark_read(client, b_token, a["id"])
    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}

    assert [m["is_read"] for m in thread(client, b_token, a["id"])] == [True, True]
    # The sender sees that their messages were read.
    assert [m["is_read"] for m in thread(client, a_token, b["id"])] == [True, True]
    assert inbox(client, a_token)[0]["last_message"]["is_read"] is True
    assert inbox(client, b_token)[0]["last_message"]["is_read"] is True
    [event] = [e for e in published if e.type == events.MessagesRead.type]
    assert event.data["reader_id"] == b["id"] and event.data["sender_id"] == a["id"]
    assert event.data["up_to"] == ReadMark.get(b["id"], ReadMark.messages_from(a["id"])).up_to


def test_a_message_sent_after_the_mark_is_unread(client, alice, bob):
    (a, a_token), (b, b_token) = alice, bob
    sent(client, a_token, b["id"], "old")
    mark_read(client, b_token, a["id"])
    sent(client, a_token, b["id"], "new")
    assert [(m["content"], m["is_read"]) for m in thread(client, b_token, a["id"])] == [
        ("new", False), ("old", True),
    ]
    assert inbox(client, b_token)[0]["last_message"]["is_read"] is False


def test_marking_read_covers_only_messages_to_me_from_that_sender(client, alice, bob, carol):
    (a, a_token), (b, b_token), (c, c_token) = alice, bob, carol
    sent(client, a_token, b["id"], "alice to bob")
    sent(client, b_token, a["id"], "bob to alice")
    sent(client, c_token, b["id"], "carol to bob")
    mark_read(client, b_token, a["id"])
    assert {m["content"]: m["is_read"] for m in thread(client, b_token, a["id"])} == {
        "alice to bob": True,
        "bob to alice": False,  # Bob's own message, which Alice has not read
    }
    assert {conv["other_user_id"]: conv["last_message"]["is_read"] for conv in inbox(client, b_token)} == {
        c["id"]: False, a["id"]: False,
    }
    mark_read(client, a_token, b["id"])
    assert [m["is_read"] for m in thread(client, b_token, a["id"])] == [True, True]


def test_marking_read_is_one_write_however_many_messages(client, alice, bob, dynamodb_calls):
    (a, _), (b, b_token) = alice, bob
    seed_messages(a["id"], b["id"], 200)
    dynamodb_calls.clear()
    assert mark_read(client, b_token, a["id"]).status_code == 200
    # The token check, the write rate limit, one write (the watermark and its event), then the
    # outbox entry's cleanup.
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "TransactWriteItems", "DeleteItem"]
    assert all(m["is_read"] for m in thread(client, b_token, a["id"], "?limit=100"))


def test_marking_read_twice_is_fine_and_the_mark_never_goes_back(client, alice, bob):
    (a, a_token), (b, b_token) = alice, bob
    sent(client, a_token, b["id"])
    assert mark_read(client, b_token, a["id"]).status_code == 200
    first = ReadMark.get(b["id"], ReadMark.messages_from(a["id"])).up_to
    assert mark_read(client, b_token, a["id"]).status_code == 200
    assert ReadMark.get(b["id"], ReadMark.messages_from(a["id"])).up_to >= first
    # A Lambda with a clock behind cannot move the watermark back.
    late = events.MessagesRead(reader_id=b["id"], sender_id=a["id"], up_to=1)
    message_commands.advance_read_mark(b["id"], ReadMark.messages_from(a["id"]), 1, late)
    assert ReadMark.get(b["id"], ReadMark.messages_from(a["id"])).up_to >= first


@pytest.mark.parametrize("bad", ["abc", "0", "-3"])
def test_marking_read_with_a_bad_sender_id_is_404(client, alice, bad):
    _, a_token = alice
    response = mark_read(client, a_token, bad)
    assert response.status_code == 404
    assert response.json_body == {"detail": "User not found"}


def test_a_message_sent_while_a_newer_one_is_already_recorded_keeps_the_newer_as_last(
        client, alice, bob, monkeypatch):
    (a, a_token), (b, b_token) = alice, bob
    newer = sent(client, b_token, a["id"], "newer")
    # As if a message with an older id committed after the newer one.
    monkeypatch.setattr(message_commands, "new_id", lambda: newer["id"] - 1)
    older = message_commands.send_message(a["id"], b["id"], "older")
    assert Message.get(older.conversation, older.message_id).content == "older"
    assert inbox(client, a_token)[0]["last_message"]["content"] == "newer"
    assert inbox(client, b_token)[0]["last_message"]["content"] == "newer"
    assert [m["content"] for m in thread(client, a_token, b["id"])] == ["newer", "older"]


def test_each_endpoint_costs_the_round_trips_of_the_data_model(client, alice, bob, dynamodb_calls):
    (a, a_token), (b, b_token) = alice, bob
    for _ in range(3):
        sent(client, b_token, a["id"])
    dynamodb_calls.clear()
    sent(client, a_token, b["id"])
    # token, write limit, receiver, the pair's block item, the transaction, the outbox entry's cleanup
    assert dynamodb_calls == [TOKEN_CHECK, "UpdateItem", "GetItem", "GetItem", "TransactWriteItems", "DeleteItem"]
    dynamodb_calls.clear()
    inbox(client, a_token)
    assert dynamodb_calls == [TOKEN_CHECK, "Query", "BatchGetItem"]
    dynamodb_calls.clear()
    thread(client, a_token, b["id"])
    assert dynamodb_calls == [TOKEN_CHECK, "Query", "BatchGetItem"]
