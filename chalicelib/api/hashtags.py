from urllib.parse import unquote

from chalicelib.api.http import ApiBlueprint, viewer_id_of
from chalicelib.api.schemas import HashtagResponse, PageQuery, PostResponse, SearchQuery
from chalicelib.queries import hashtags
from chalicelib.queries.viewer import page_seen_by

api = ApiBlueprint(__name__, tag="search")


@api.route("/api/search/hashtags", methods=["GET"], query=SearchQuery, response=[HashtagResponse],
           viewer=True, summary="Hashtags by prefix")
def search_hashtags(viewer, query):
    # A read that takes a token like every other (a bad one is a 401), though
    # every viewer finds the same tags.
    return hashtags.search_hashtags(query.q, query.page())


@api.route("/api/search/posts/hashtag/{tag}", methods=["GET"], query=PageQuery, response=[PostResponse],
           viewer=True, summary="Posts with a hashtag, newest first")
def posts_with_hashtag(viewer, tag, query):
    # API Gateway (REST) and chalice local hand path parameters over still
    # percent-encoded ("%23sunset", "caf%C3%A9"); a tag never contains "%".
    return page_seen_by(viewer, hashtags.posts_with_hashtag(unquote(tag), viewer_id_of(viewer), query.page()))
