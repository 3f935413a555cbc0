from chalicelib.api.http import ApiBlueprint, paged_response, parse_query
from chalicelib.api.schemas import SearchQuery, user_response
from chalicelib.queries import search

api = ApiBlueprint(__name__)


@api.route("/api/search/users", methods=["GET"])
def search_users():
    query = parse_query(api.current_request, SearchQuery)
    page = search.search_users(query.q, query.page())
    return paged_response(page, user_response)
