from chalicelib.api.http import (
    ApiBlueprint,
    authenticated_user,
    authenticated_user_id,
    json_response,
    no_content,
    paged_response,
    parse_body,
    parse_query,
    path_id,
)
from chalicelib.api.schemas import (
    CreateCommentRequest,
    CreatePostRequest,
    LongPageQuery,
    PageQuery,
    comment_response,
    post_response,
)
from chalicelib.commands import posts as commands
from chalicelib.queries import posts as queries

api = ApiBlueprint(__name__)


@api.route("/api/posts", methods=["POST"])
def create_post():
    author = authenticated_user(api.current_request)
    body = parse_body(api.current_request, CreatePostRequest)
    post = commands.create_post(author, body.content, body.image_url)
    return json_response(post_response(post), status=201)


@api.route("/api/posts/{post_id}", methods=["GET"])
def get_post(post_id):
    return post_response(queries.get_post(path_id(post_id, "Post")))


@api.route("/api/posts/{post_id}", methods=["DELETE"])
def delete_post(post_id):
    user_id = authenticated_user_id(api.current_request)
    commands.delete_post(user_id, path_id(post_id, "Post"))
    return no_content()


@api.route("/api/posts/{post_id}/likes", methods=["POST"])
def toggle_like(post_id):
    user_id = authenticated_user_id(api.current_request)
    liked, like_count = commands.toggle_like(user_id, path_id(post_id, "Post"))
    return {"liked": liked, "like_count": like_count}


@api.route("/api/posts/{post_id}/comments", methods=["GET"])
def list_comments(post_id):
    query = parse_query(api.current_request, LongPageQuery)
    page = queries.comments_of_post(path_id(post_id, "Post"), query.page())
    return paged_response(page, comment_response)


@api.route("/api/posts/{post_id}/comments", methods=["POST"])
def add_comment(post_id):
    author = authenticated_user(api.current_request)
    post_id = path_id(post_id, "Post")
    body = parse_body(api.current_request, CreateCommentRequest)
    comment = commands.add_comment(author, post_id, body.content)
    return json_response(comment_response(comment), status=201)


@api.route("/api/posts/comments/{comment_id}", methods=["DELETE"])
def delete_comment(comment_id):
    user_id = authenticated_user_id(api.current_request)
    commands.delete_comment(user_id, path_id(comment_id, "Comment"))
    return no_content()


@api.route("/api/users/{user_id}/posts", methods=["GET"])
def posts_of_user(user_id):
    query = parse_query(api.current_request, PageQuery)
    page = queries.posts_of_user(path_id(user_id, "User"), query.page())
    return paged_response(page, post_response)
