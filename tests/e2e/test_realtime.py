"""Live updates over `make run`, with a real WebSocket client: the URL from
GET /api/realtime, frames pushed by the push consumer through the local
management API (docs/realtime.md). Every wait is bounded; nothing is timed."""
import itertools
import json
import os
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.e2e.conftest import wait_until

pytestmark = pytest.mark.e2e
_names = itertools.count()
WAIT = 20  # seconds a frame may take, at most, on a busy machine
CONNECTIONS_TABLE = "instagram-local-connections"  # make run's stage's names


class Person:
    def __init__(self, stack, prefix: str):
        self.username = f"{prefix}{os.getpid()}x{next(_names)}"
        status, user = stack.post("/api/auth/register", {
            "username": self.username, "email": f"{self.username}@example.com", "password": "correct horse"})
        assert status == 201, user
        self.id = user["id"]
        status, body = stack.post("/api/auth/login", {"email": f"{self.username}@example.com",
                                                      "password": "correct horse"})
        assert status == 200, body
        self.token = body["access_token"]


def socket_of(stack, person: Person):
    status, body = stack.get("/api/realtime")
    assert status == 200 and body["url"].startswith("ws://"), body
    return connect(f"{body['url']}/?token={person.token}", open_timeout=WAIT)


def next_frame(websocket) -> dict:
    return json.loads(websocket.recv(timeout=WAIT))


def send_message(stack, sender: Person, receiver: Person, content: str) -> dict:
    status, body = stack.post("/api/messages", {"receiver_id": receiver.id, "content": content}, sender.token)
    assert status == 201, body
    return body


def aws(stack, service: str):
    return boto3.client(service, endpoint_url=stack.aws_url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def connections_of(stack, user_id: int) -> set[str]:
    items = aws(stack, "dynamodb").query(
        TableName=CONNECTIONS_TABLE, KeyConditionExpression="user_id = :user",
        ExpressionAttributeValues={":user": {"N": str(user_id)}}, ConsistentRead=True)["Items"]
    return {item["connection_id"]["S"] for item in items}


def test_a_message_arrives_on_the_receivers_socket_as_the_api_shows_it(local_stack):
    alice, bob = Person(local_stack, "rta"), Person(local_stack, "rtb")
    with socket_of(local_stack, bob) as websocket:
        sent = send_message(local_stack, alice, bob, "are you there?")
        frame = next_frame(websocket)
    assert frame == {"type": "message", "message": sent}


def test_a_like_arrives_on_the_authors_socket_as_a_notification(local_stack):
    alice, bob = Person(local_stack, "rtl"), Person(local_stack, "rtm")
    status, post = local_stack.post("/api/posts", {"content": "sunset"}, alice.token)
    assert status == 201, post
    with socket_of(local_stack, alice) as websocket:
        assert local_stack.post(f"/api/posts/{post['id']}/likes", token=bob.token)[0] == 200
        frame = next_frame(websocket)
    assert frame["type"] == "notification"
    assert frame["notification"]["type"] == "like"
    assert (frame["notification"]["actor_id"], frame["notification"]["reference_id"]) == (bob.id, post["id"])
    status, shown = local_stack.get("/api/notifications", alice.token)
    assert frame["notification"] == shown[0]


def test_two_connections_of_one_user_both_receive(local_stack):
    alice, bob = Person(local_stack, "rtc"), Person(local_stack, "rtd")
    with socket_of(local_stack, bob) as phone, socket_of(local_stack, bob) as laptop:
        sent = send_message(local_stack, alice, bob, "both of you")
        assert next_frame(phone) == next_frame(laptop) == {"type": "message", "message": sent}


def test_nothing_arrives_from_a_blocked_sender(local_stack):
    alice, bob, carol = Person(local_stack, "rte"), Person(local_stack, "rtf"), Person(local_stack, "rtg")
    status, post = local_stack.post("/api/posts", {"content": "mine"}, bob.token)
    assert status == 201, post
    assert local_stack.post(f"/api/blocks/{alice.id}", token=bob.token)[0] in (200, 201)
    with socket_of(local_stack, bob) as websocket:
        assert local_stack.post("/api/messages", {"receiver_id": bob.id, "content": "hey"}, alice.token)[0] == 404
        local_stack.post(f"/api/posts/{post['id']}/likes", token=alice.token)
        # Carol's message is pushed after anything of Alice's could have been:
        # the first frame is hers, and nothing came before it.
        sent = send_message(local_stack, carol, bob, "after the block")
        assert next_frame(websocket) == {"type": "message", "message": sent}


def test_a_bad_token_is_refused_at_connect(local_stack):
    url = local_stack.get("/api/realtime")[1]["url"]
    for query in ("", "?token=", "?token=not.a.jwt"):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{url}/{query}", open_timeout=WAIT)
        assert refused.value.response.status_code == 401
        assert json.loads(refused.value.response.body) == {"detail": "Could not validate credentials"}


def test_a_ping_is_answered_and_a_closed_socket_forgets_its_connection(local_stack):
    alice = Person(local_stack, "rth")
    with socket_of(local_stack, alice) as websocket:
        websocket.send(json.dumps({"type": "ping"}))
        assert next_frame(websocket) == {"type": "pong"}
        assert len(connections_of(local_stack, alice.id)) == 1
    wait_until(lambda: connections_of(local_stack, alice.id) == set(), timeout=WAIT)


def test_a_vanished_connection_is_cleaned_up_and_parks_nothing_in_the_dead_letter_queue(local_stack):
    alice, bob = Person(local_stack, "rti"), Person(local_stack, "rtj")
    # A connection whose $disconnect never came (API Gateway's is best effort).
    expires = int((datetime.now(timezone.utc) + timedelta(hours=1)).timestamp())
    aws(local_stack, "dynamodb").put_item(TableName=CONNECTIONS_TABLE, Item={
        "user_id": {"N": str(bob.id)}, "connection_id": {"S": "vanished0000000="},
        "expires_at": {"N": str(expires)}})
    with socket_of(local_stack, bob) as websocket:
        sent = send_message(local_stack, alice, bob, "still there?")
        assert next_frame(websocket) == {"type": "message", "message": sent}
        wait_until(lambda: "vanished0000000=" not in connections_of(local_stack, bob.id), timeout=WAIT)
        assert len(connections_of(local_stack, bob.id)) == 1
    sqs = aws(local_stack, "sqs")
    dead_letter_queue = sqs.get_queue_url(QueueName="instagram-local-push-dlq")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=dead_letter_queue, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert sum(int(count) for count in attributes.values()) == 0
