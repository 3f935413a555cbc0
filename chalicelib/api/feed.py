from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import PageQuery, PostResponse
from chalicelib.queries import feed
from chalicelib.queries.viewer import page_seen_by

api = ApiBlueprint(__name__, tag="feed")


@api.route("/api/feed", methods=["GET"], query=PageQuery, response=[PostResponse], auth=True,
           summary="My feed: my posts and those of whom I follow, newest first")
def my_feed(caller, query):
    return page_seen_by(caller, feed.feed(caller.user_id, query.page()))
