"""Live updates (docs/realtime.md): where clients connect, and the three
handlers of the WebSocket API. A connection is authenticated once, at its
handshake, by the access token in its query string; the push consumer
(chalicelib/consumers/push.py) sends it frames from then on.

Chalice wraps WebSocket handlers only when they are registered on the app
itself (on a Blueprint, Lambda would be handed the bare function), and
Lambda finds each by its name in app.py: so app.py binds what
`websocket_handlers` returns to these same names."""
import json

from chalice import Response

from chalicelib import realtime, security
from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import RealtimeResponse
from chalicelib.config import realtime_url
from chalicelib.errors import NotFound, Unauthorized
from chalicelib.queries import users

api = ApiBlueprint(__name__, tag="realtime")

PONG = json.dumps({"type": "pong"}).encode()


@api.route("/api/realtime", methods=["GET"], response=RealtimeResponse, errors=(404,),
           summary="Where to open the WebSocket of live updates (?token=<access token>)")
def where_to_connect():
    url = realtime_url()
    if url is None:
        raise NotFound("Live updates are not served here (chalice local serves no WebSocket: use make run)")
    return {"url": url}


def websocket_connect(event):
    """A missing, bad, expired or retired token refuses the handshake: API
    Gateway answers the client with this status and opens nothing."""
    token = (event.to_dict().get("queryStringParameters") or {}).get("token", "")
    try:
        claims = security.read_access_token(token)
        user = users.get_token_holder(claims.user_id, claims.password_version)
    except Unauthorized as error:
        return Response(body=json.dumps({"detail": error.detail}), status_code=401,
                        headers={"Content-Type": "application/json"})
    realtime.connected(user.user_id, event.connection_id)


def websocket_disconnect(event):
    realtime.disconnected(event.connection_id)


def websocket_message(event):
    """A client may ping, to learn its connection is still there; anything
    else it sends is ignored."""
    try:
        sent = json.loads(event.body)
    except (TypeError, ValueError):
        return
    if isinstance(sent, dict) and sent.get("type") == "ping":
        realtime.send(event.connection_id, PONG)


def websocket_handlers(app):
    """Registers the three handlers on the app; returns them as Chalice
    wrapped them, for app.py to bind to their names."""
    return (app.on_ws_connect()(websocket_connect), app.on_ws_disconnect()(websocket_disconnect),
            app.on_ws_message()(websocket_message))
