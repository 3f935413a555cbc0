from chalicelib.api.http import ApiBlueprint, authenticated_user_id, paged_response, parse_query
from chalicelib.api.schemas import PageQuery, post_response
from chalicelib.queries import feed

api = ApiBlueprint(__name__)


@api.route("/api/feed", methods=["GET"])
def my_feed():
    user_id = authenticated_user_id(api.current_request)
    query = parse_query(api.current_request, PageQuery)
    page = feed.feed(user_id, query.page())
    return paged_response(page, post_response)
