"""Live updates (docs/realtime.md): the WebSocket handlers called as API
Gateway calls them (through make run's own gateway, infra/local_ws.py), and
the push consumer posting to a management API that answers as API
Gateway's does (the same one make run serves, in front of recorded sockets)."""
import json
import socket
import threading
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import jwt
import pytest
from botocore.exceptions import ClientError

import app as app_module
from app import app
from chalicelib import aws, realtime
from chalicelib.consumers.push import HANDLERS
from chalicelib.events import MessageSent, NotificationCreated
from chalicelib.models import LiveConnection
from chalicelib.security import signing_secret
from infra import local_ws
from infra.local_ws import Gateway, management_api
from tests.helpers import (
    counting_dynamodb_calls,
    create_post,
    delete_account,
    event_of,
    get,
    post_json,
    put_json,
    register_and_login,
    toggle_like,
)


class Sockets:
    """What API Gateway holds: open connections, and the frames each got."""

    def __init__(self):
        self.frames: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def open(self, connection_id: str) -> None:
        self.frames[connection_id] = []

    def post(self, connection_id: str, data: bytes) -> bool:
        with self._lock:
            if connection_id not in self.frames:
                return False
            self.frames[connection_id].append(json.loads(data))
            return True

    def close(self, connection_id: str) -> bool:
        return self.frames.pop(connection_id, None) is not None


@pytest.fixture
def sockets(aws, monkeypatch):
    listening = socket.create_server(("127.0.0.1", 0))
    recorded = Sockets()
    server = management_api(listening, recorded)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("REALTIME_MANAGEMENT_URL", f"http://127.0.0.1:{listening.getsockname()[1]}")
    aws_connections_api_cleared()
    try:
        yield recorded
    finally:
        server.shutdown()
        server.server_close()
        aws_connections_api_cleared()


def aws_connections_api_cleared() -> None:
    aws.connections_api.cache_clear()


@pytest.fixture
def gateway(aws):
    return Gateway(app, "abc123.execute-api.us-east-1.amazonaws.com")


_ids = iter(range(10**6))


def connect(gateway, sockets, token: str | None) -> tuple[str, int]:
    """(the connection's id, the status $connect answered)."""
    connection_id = f"conn{next(_ids)}="
    query = {"token": token} if token is not None else None
    answer = gateway.invoke("$connect", connection_id, queryStringParameters=query)
    status = answer["statusCode"]
    if status == 200:
        sockets.open(connection_id)
    return connection_id, status


def connections_of(user_id: int) -> set[str]:
    return {found.connection_id for found in LiveConnection.query(user_id, consistent_read=True)}


def send_message(client, sender, receiver, content="hi") -> dict:
    response = post_json(client, "/api/messages", {"receiver_id": receiver.id, "content": content}, sender.token)
    assert response.status_code == 201, response.json_body
    return response.json_body


# --- where to connect, and the handshake -------------------------------------------------

def test_clients_are_told_where_to_connect(client, monkeypatch):
    monkeypatch.setenv("REALTIME_URL", "wss://abc123.execute-api.us-east-1.amazonaws.com/v1")
    response = get(client, "/api/realtime")
    assert (response.status_code, response.json_body) == (
        200, {"url": "wss://abc123.execute-api.us-east-1.amazonaws.com/v1"})


def test_where_no_websocket_is_served_clients_are_told_so_with_a_404(client, monkeypatch):
    monkeypatch.delenv("REALTIME_URL", raising=False)  # chalice local: it serves no WebSocket
    response = get(client, "/api/realtime")
    assert response.status_code == 404
    assert "not served here" in response.json_body["detail"]


def test_lambda_finds_each_websocket_handler_by_name_in_app_py_as_chalice_wrapped_it():
    # On a Blueprint, Chalice would leave them bare: Lambda would hand them (event, context).
    assert set(app.websocket_handlers) == {"$connect", "$disconnect", "$default"}
    for config in app.websocket_handlers.values():
        module, name = config.handler_string.split(".")
        assert module == "app"
        assert getattr(app_module, name) is app.handler_map[config.name]
        assert type(app.handler_map[config.name]).__name__ == "WebsocketEventSourceHandler"


def test_a_good_token_opens_a_connection_kept_for_a_little_over_api_gateways_two_hours(client, gateway, sockets):
    alice = register_and_login(client)
    connection_id, status = connect(gateway, sockets, alice.token)
    assert status == 200
    [stored] = LiveConnection.query(alice.id)
    assert stored.connection_id == connection_id
    left = stored.expires_at - datetime.now(timezone.utc)
    assert timedelta(hours=2) < left <= timedelta(hours=2, minutes=10)


def _expired(user_id: int) -> str:
    claims = {"sub": str(user_id), "password_version": 0, "exp": int(time.time()) - 1}
    return jwt.encode(claims, signing_secret(), algorithm="HS256")


@pytest.mark.parametrize("token_of", [
    lambda person: None,                  # missing
    lambda person: "",                    # empty
    lambda person: "not.a.jwt",           # malformed
    lambda person: person.token + "x",    # tampered
    lambda person: _expired(person.id),   # expired
], ids=["missing", "empty", "malformed", "tampered", "expired"])
def test_a_bad_or_expired_token_is_refused_at_the_handshake(client, gateway, sockets, token_of):
    alice = register_and_login(client)
    _, status = connect(gateway, sockets, token_of(alice))
    assert status == 401
    assert connections_of(alice.id) == set()


def test_a_token_retired_by_a_password_change_is_refused_at_the_handshake(client, gateway, sockets):
    alice = register_and_login(client)
    response = put_json(client, "/api/auth/password",
                        {"current_password": "correct horse", "new_password": "battery staple"}, alice.token)
    assert response.status_code == 200, response.json_body
    assert connect(gateway, sockets, alice.token)[1] == 401
    assert connect(gateway, sockets, response.json_body["access_token"])[1] == 200


def test_a_deleted_accounts_token_is_refused_at_the_handshake(client, gateway, sockets):
    alice = register_and_login(client)
    assert delete_account(client, alice.token).status_code == 204
    assert connect(gateway, sockets, alice.token)[1] == 401
    assert connections_of(alice.id) == set()


def test_disconnecting_forgets_the_connection_and_only_it(client, gateway, sockets):
    alice = register_and_login(client)
    first, _ = connect(gateway, sockets, alice.token)
    second, _ = connect(gateway, sockets, alice.token)
    gateway.invoke("$disconnect", first)
    assert connections_of(alice.id) == {second}
    gateway.invoke("$disconnect", first)  # API Gateway may say it twice
    assert connections_of(alice.id) == {second}


def test_a_connection_whose_handshake_never_completes_is_gone_to_whoever_posts_to_it(client, gateway, monkeypatch):
    monkeypatch.setattr(local_ws, "OPEN_WAIT_SECONDS", 0.01)
    alice = register_and_login(client, "alice")
    handshake = SimpleNamespace(path=f"/?token={alice.token}", headers=SimpleNamespace(raw_items=lambda: []))
    accepted = SimpleNamespace()
    assert gateway.connect(accepted, handshake) is None  # $connect accepted it; the client then went away
    assert gateway.post(accepted.gateway_id, b"{}") is False
    assert gateway.close(accepted.gateway_id) is False
    assert accepted.gateway_id not in gateway._open


def test_a_ping_is_answered_with_a_pong_on_that_connection(client, gateway, sockets):
    alice = register_and_login(client)
    connection_id, _ = connect(gateway, sockets, alice.token)
    gateway.invoke("$default", connection_id, body=json.dumps({"type": "ping"}))
    gateway.invoke("$default", connection_id, body="not json")
    assert sockets.frames[connection_id] == [{"type": "pong"}]


def test_connecting_and_disconnecting_cost_two_round_trips_each(client, gateway, sockets):
    alice = register_and_login(client)
    with counting_dynamodb_calls() as calls:
        connection_id, _ = connect(gateway, sockets, alice.token)
    assert calls == ["GetItem", "PutItem"]
    with counting_dynamodb_calls() as calls:
        gateway.invoke("$disconnect", connection_id)
    assert calls == ["Query", "DeleteItem"]


# --- the push consumer ---------------------------------------------------------------------

def test_a_message_reaches_each_of_the_receivers_connections_as_the_api_shows_it(
        client, pump, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    phone, laptop = connect(gateway, sockets, bob.token)[0], connect(gateway, sockets, bob.token)[0]
    own, _ = connect(gateway, sockets, alice.token)
    sent = send_message(client, alice, bob)
    pump.drain()
    [shown] = get(client, f"/api/messages/{alice.id}", bob.token).json_body
    assert sockets.frames[phone] == sockets.frames[laptop] == [{"type": "message", "message": shown}]
    assert shown["id"] == sent["id"]
    assert sockets.frames[own] == []  # the sender is not told of their own message


def test_a_like_reaches_the_authors_connections_as_the_notification_the_api_shows(client, pump, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    post = create_post(client, alice.token)
    connection_id, _ = connect(gateway, sockets, alice.token)
    toggle_like(client, bob.token, post["id"])
    pump.drain()
    [shown] = get(client, "/api/notifications", alice.token).json_body
    assert shown["type"] == "like"
    assert sockets.frames[connection_id] == [{"type": "notification", "notification": shown}]


def test_reading_a_conversation_tells_the_senders_connections(client, pump, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    send_message(client, alice, bob)
    pump.drain()
    connection_id, _ = connect(gateway, sockets, alice.token)
    assert post_json(client, f"/api/messages/{alice.id}/read", token=bob.token).status_code == 200
    pump.drain()
    assert sockets.frames[connection_id] == [{"type": "messages.read", "reader_id": bob.id}]


def test_a_redelivered_like_pushes_its_notification_once(client, pump, gateway, sockets, published):
    alice, bob = register_and_login(client), register_and_login(client)
    post = create_post(client, alice.token)
    connection_id, _ = connect(gateway, sockets, alice.token)
    toggle_like(client, bob.token, post["id"])
    pump.drain()
    [liked] = [event for event in published if event.type == "post.liked"]
    from chalicelib.consumers.notifications import HANDLERS as NOTIFY

    NOTIFY[type(liked.payload)](liked)  # the notification is there already: no new notification.created
    pump.drain()
    assert [frame["type"] for frame in sockets.frames[connection_id]] == ["notification"]


def test_a_gone_connection_is_forgotten_and_fails_nothing(client, pump, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    live, _ = connect(gateway, sockets, bob.token)
    vanished, _ = connect(gateway, sockets, bob.token)
    sockets.close(vanished)  # its $disconnect never came
    send_message(client, alice, bob)
    pump.drain()  # a failed event would come back until the queue dead-letters it: drain would not end
    assert [frame["type"] for frame in sockets.frames[live]] == ["message"]
    assert connections_of(bob.id) == {live}


def change_password(client, person) -> None:
    changed = put_json(client, "/api/auth/password",
                       {"current_password": "correct horse", "new_password": "battery staple"}, person.token)
    assert changed.status_code == 200, changed.json_body


def delete_the_account(client, person) -> None:
    assert delete_account(client, person.token).status_code == 204


@pytest.mark.parametrize("ending", [change_password, delete_the_account], ids=["password change", "deletion"])
def test_a_password_change_or_a_deletion_closes_every_open_connection_of_its_user(
        client, pump, gateway, sockets, ending):
    alice, bob = register_and_login(client), register_and_login(client)
    first, _ = connect(gateway, sockets, alice.token)
    second, _ = connect(gateway, sockets, alice.token)
    bobs, _ = connect(gateway, sockets, bob.token)
    ending(client, alice)
    pump.drain()
    assert first not in sockets.frames and second not in sockets.frames  # closed, as a stolen token's would be
    assert connections_of(alice.id) == set()
    assert bobs in sockets.frames and connections_of(bob.id) == {bobs}


def test_a_push_that_fails_for_another_reason_is_retried_after_the_other_connections_had_theirs(
        client, gateway, sockets, monkeypatch):
    alice, bob = register_and_login(client), register_and_login(client)
    throttled, _ = connect(gateway, sockets, bob.token)
    fine, _ = connect(gateway, sockets, bob.token)
    sent = send_message(client, alice, bob)
    post = realtime.send

    def throttling(connection_id, data):
        if connection_id == throttled:
            raise ClientError({"Error": {"Code": "LimitExceededException", "Message": "slow down"}},
                              "PostToConnection")
        return post(connection_id, data)

    monkeypatch.setattr(realtime, "send", throttling)
    event = event_of(MessageSent, {"message_id": sent["id"], "sender_id": alice.id, "receiver_id": bob.id})
    with pytest.raises(ClientError):
        HANDLERS[MessageSent](event)  # so the event is retried
    assert [frame["type"] for frame in sockets.frames[fine]] == ["message"]
    assert connections_of(bob.id) == {throttled, fine}  # kept: it is there, only busy


def test_nothing_is_pushed_between_users_when_either_blocks_the_other(client, pump, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    post = create_post(client, bob.token)
    connection_id, _ = connect(gateway, sockets, bob.token)
    # On their way when the block happens: a message and a like.
    sent = send_message(client, alice, bob)
    toggle_like(client, alice.token, post["id"])
    assert post_json(client, f"/api/blocks/{alice.id}", token=bob.token).status_code in (200, 201)
    pump.drain()
    assert sockets.frames[connection_id] == []
    # And a notification written before the block, pushed after it.
    HANDLERS[MessageSent](event_of(MessageSent, {"message_id": sent["id"], "sender_id": alice.id,
                                                 "receiver_id": bob.id}))
    assert sockets.frames[connection_id] == []
    # A blocked sender cannot send at all.
    response = post_json(client, "/api/messages", {"receiver_id": bob.id, "content": "hi"}, alice.token)
    assert response.status_code == 404
    pump.drain()
    assert sockets.frames[connection_id] == []


def test_a_notification_written_before_a_block_is_not_pushed_after_it(client, pump, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    post = create_post(client, bob.token)
    toggle_like(client, alice.token, post["id"])
    pump.drain()
    [notification] = get(client, "/api/notifications", bob.token).json_body
    connection_id, _ = connect(gateway, sockets, bob.token)
    assert post_json(client, f"/api/blocks/{alice.id}", token=bob.token).status_code in (200, 201)
    HANDLERS[NotificationCreated](event_of(NotificationCreated, {"user_id": bob.id,
                                                                 "notification_id": notification["id"]}))
    assert sockets.frames[connection_id] == []


def test_an_event_for_a_user_with_no_connection_costs_one_query(client, pump, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    sent = send_message(client, alice, bob)
    event = event_of(MessageSent, {"message_id": sent["id"], "sender_id": alice.id, "receiver_id": bob.id})
    with counting_dynamodb_calls() as calls:
        HANDLERS[MessageSent](event)
    assert calls == ["Query"]


def test_a_push_costs_three_round_trips_whatever_the_number_of_connections(client, gateway, sockets):
    alice, bob = register_and_login(client), register_and_login(client)
    sent = send_message(client, alice, bob)
    event = event_of(MessageSent, {"message_id": sent["id"], "sender_id": alice.id, "receiver_id": bob.id})
    for count in (1, 5):
        while len(connections_of(bob.id)) < count:
            connect(gateway, sockets, bob.token)
        with counting_dynamodb_calls() as calls:
            HANDLERS[MessageSent](event)
        assert calls == ["Query", "GetItem", "GetItem"]  # connections, the block item, the message
