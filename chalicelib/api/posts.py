from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import (
    CommentResponse,
    CreateCommentRequest,
    CreatePostRequest,
    LikeToggleResponse,
    LongPageQuery,
    PostResponse,
)
from chalicelib.commands import posts as commands
from chalicelib.queries import posts as queries

api = ApiBlueprint(__name__, tag="posts")


@api.route("/api/posts", methods=["POST"], status=201, body=CreatePostRequest, response=PostResponse,
           auth=True, write=True, summary="Create a post (content or image_url)")
def create_post(caller, body):
    return commands.create_post(caller, body.content, body.image_url)


@api.route("/api/posts/{post_id}", methods=["GET"], response=PostResponse, summary="A post")
def get_post(post_id):
    return queries.get_post(post_id)


@api.route("/api/posts/{post_id}", methods=["DELETE"], status=204, response=None, errors=(403,), auth=True,
           write=True, summary="Delete my post")
def delete_post(caller, post_id):
    commands.delete_post(caller.user_id, post_id)


@api.route("/api/posts/{post_id}/likes", methods=["POST"], response=LikeToggleResponse, auth=True, write=True,
           summary="Like or unlike a post (toggles)")
def toggle_like(caller, post_id):
    liked, like_count = commands.toggle_like(caller.user_id, post_id)
    return {"liked": liked, "like_count": like_count}


@api.route("/api/posts/{post_id}/comments", methods=["GET"], query=LongPageQuery, response=[CommentResponse],
           summary="A post's comments, newest first")
def list_comments(post_id, query):
    return queries.comments_of_post(post_id, query.page())


@api.route("/api/posts/{post_id}/comments", methods=["POST"], status=201, body=CreateCommentRequest,
           response=CommentResponse, auth=True, write=True, summary="Comment on a post")
def add_comment(caller, post_id, body):
    return commands.add_comment(caller, post_id, body.content)


@api.route("/api/posts/comments/{comment_id}", methods=["DELETE"], status=204, response=None, errors=(403,),
           auth=True, write=True, summary="Delete a comment (its author or the post's author)")
def delete_comment(caller, comment_id):
    commands.delete_comment(caller.user_id, comment_id)
