from chalicelib.api.http import ApiBlueprint, viewer_id_of
from chalicelib.api.schemas import SearchQuery, UserResponse
from chalicelib.queries import search

api = ApiBlueprint(__name__, tag="search")


@api.route("/api/search/users", methods=["GET"], query=SearchQuery, response=[UserResponse], viewer=True,
           summary="Users by a prefix of username or of a word of full_name")
def search_users(viewer, query):
    return search.search_users(query.q, viewer_id_of(viewer), query.page())
