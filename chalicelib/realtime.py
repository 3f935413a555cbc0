"""Live updates: the users' open WebSockets, and frames sent to them
(docs/realtime.md).

A frame goes to a connection through API Gateway's management API
(`post_to_connection`) at REALTIME_MANAGEMENT_URL: the stage's WebSocket
API on AWS, `make run`'s WebSocket server locally, which answers the same
calls, so this code is the same in both places.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.logs import json_logger
from chalicelib.models import LiveConnection

# API Gateway ends every WebSocket after two hours; TTL removes a connection
# whose $disconnect never ran, a little after that.
CONNECTION_LIFETIME = timedelta(hours=2, minutes=10)

logger = json_logger("instagram-events")


def connected(user_id: int, connection_id: str) -> None:
    LiveConnection(user_id, connection_id,
                   expires_at=datetime.now(timezone.utc) + CONNECTION_LIFETIME).save()


def disconnected(connection_id: str) -> None:
    """One Query of the index (the id is all $disconnect knows), one
    DeleteItem. A connection already cleaned up is nothing to do."""
    for found in LiveConnection.by_id.query(connection_id):
        LiveConnection(found.user_id, connection_id).delete()


def connections_of(user_id: int) -> list[str]:
    """The user's open connections: one Query, strongly consistent, so that
    a socket opened just before an event is not missed."""
    now = datetime.now(timezone.utc)
    return [found.connection_id for found in LiveConnection.query(user_id, consistent_read=True)
            if found.expires_at > now]


def send_all(user_id: int, connection_ids: list[str], frame: dict) -> int:
    """Sends frame to each of the user's connections; returns how many took
    it. A connection API Gateway says is gone is deleted, and fails nothing;
    any other failure is raised once every connection has had its turn, so
    that the event is retried."""
    data = json.dumps(frame, separators=(",", ":")).encode()
    delivered, failure = 0, None
    for connection_id in connection_ids:
        try:
            if send(connection_id, data):
                delivered += 1
            else:
                LiveConnection(user_id, connection_id).delete()
        except (ClientError, BotoCoreError) as error:
            logger.warning("could not post to a connection", extra={"connection_id": connection_id,
                                                                    "error": str(error)})
            failure = error
    if failure is not None:
        raise failure
    return delivered


def close_all(user_id: int) -> None:
    """Closes every open connection of the user (API Gateway's DELETE
    @connections/{id}; one already gone is nothing to do) and forgets it."""
    for connection_id in connections_of(user_id):
        try:
            aws.connections_api().delete_connection(ConnectionId=connection_id)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "GoneException":
                raise
        LiveConnection(user_id, connection_id).delete()


def send(connection_id: str, data: bytes) -> bool:
    """Posts data to one connection: False when it is gone."""
    try:
        aws.connections_api().post_to_connection(ConnectionId=connection_id, Data=data)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "GoneException":
            return False
        raise
    return True

