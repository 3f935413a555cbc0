from urllib.parse import unquote

from chalicelib.api.http import ApiBlueprint, paged_response, parse_query
from chalicelib.api.schemas import PageQuery, SearchQuery, hashtag_response, post_response
from chalicelib.queries import hashtags

api = ApiBlueprint(__name__)


@api.route("/api/search/hashtags", methods=["GET"])
def search_hashtags():
    query = parse_query(api.current_request, SearchQuery)
    page = hashtags.search_hashtags(query.q, query.page())
    return paged_response(page, lambda tag: hashtag_response(tag.hashtag_id, tag.name))


@api.route("/api/search/posts/hashtag/{tag}", methods=["GET"])
def posts_with_hashtag(tag):
    query = parse_query(api.current_request, PageQuery)
    # API Gateway (REST) and chalice local hand path parameters over still
    # percent-encoded ("%23sunset", "caf%C3%A9"); a tag never contains "%".
    page = hashtags.posts_with_hashtag(unquote(tag), query.page())
    return paged_response(page, post_response)
