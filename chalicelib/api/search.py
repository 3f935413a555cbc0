from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import SearchQuery, UserResponse
from chalicelib.queries import search

api = ApiBlueprint(__name__, tag="search")


@api.route("/api/search/users", methods=["GET"], query=SearchQuery, response=[UserResponse],
           summary="Users by a prefix of username or of a word of full_name")
def search_users(query):
    return search.search_users(query.q, query.page())
