"""The Chalice app: what it serves and what it consumes. Nothing else."""
from chalice import Chalice

from chalicelib.api import (
    accounts,
    auth,
    blocks,
    cors,
    exports,
    feed,
    follows,
    hashtags,
    health,
    local,
    media,
    messages,
    notifications,
    openapi,
    posts,
    realtime,
    search,
    stories,
    users,
)
from chalicelib.api.http import http_middleware
from chalicelib.consumers import consumers

app = Chalice(app_name="instagram")
# Chalice declares WebSocket APIs behind this flag (chalicelib/api/realtime.py).
app.experimental_feature_flags.update(["WEBSOCKETS"])
app.register_middleware(http_middleware, "http")

for blueprint in (health, auth, accounts, users, exports, media, posts, follows, blocks, feed, stories, messages,
                  notifications, search, hashtags, realtime, openapi, local):
    app.register_blueprint(blueprint.api)
cors.answer_preflights(app)

# Lambda finds the WebSocket API's handlers here, by their names.
websocket_connect, websocket_disconnect, websocket_message = realtime.websocket_handlers(app)

app.register_blueprint(consumers)
