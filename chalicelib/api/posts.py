from chalicelib.api.http import ApiBlueprint, viewer_id_of
from chalicelib.api.schemas import (
    CommentResponse,
    CreateCommentRequest,
    CreatePostRequest,
    LikeToggleResponse,
    LongPageQuery,
    PageQuery,
    PostResponse,
    SaveResponse,
)
from chalicelib.commands import posts as commands
from chalicelib.queries import posts as queries
from chalicelib.queries.viewer import SeenPost, post_seen_by

api = ApiBlueprint(__name__, tag="posts")


@api.route("/api/posts", methods=["POST"], status=201, body=CreatePostRequest, response=PostResponse,
           auth=True, write=True, summary="Create a post (content, image_url or media_ids)")
def create_post(caller, body):
    post = commands.create_post(caller, body.content, body.image_url, body.media_ids or ())
    # Nobody has liked or saved a post yet at its creation.
    return SeenPost(post, liked_by_me=False, saved_by_me=False)


@api.route("/api/posts/{post_id}", methods=["GET"], response=PostResponse, viewer=True, summary="A post")
def get_post(viewer, post_id):
    return post_seen_by(viewer, queries.get_post(post_id, viewer_id_of(viewer)))


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
           viewer=True, summary="A post's top-level comments, newest first")
def list_comments(viewer, post_id, query):
    return queries.comments_of_post(post_id, viewer_id_of(viewer), query.page())


@api.route("/api/posts/{post_id}/comments", methods=["POST"], status=201, body=CreateCommentRequest,
           response=CommentResponse, auth=True, write=True,
           summary="Comment on a post, or reply to one of its comments (parent_id)")
def add_comment(caller, post_id, body):
    return commands.add_comment(caller, post_id, body.content, body.parent_id)


@api.route("/api/posts/comments/{comment_id}/replies", methods=["GET"], query=LongPageQuery,
           response=[CommentResponse], viewer=True, summary="A comment's replies, oldest first")
def list_replies(viewer, comment_id, query):
    return queries.replies_of(comment_id, viewer_id_of(viewer), query.page())


@api.route("/api/posts/comments/{comment_id}", methods=["DELETE"], status=204, response=None, errors=(403,),
           auth=True, write=True, summary="Delete a comment (its author or the post's author)")
def delete_comment(caller, comment_id):
    commands.delete_comment(caller.user_id, comment_id)


@api.route("/api/posts/{post_id}/save", methods=["POST"], response=SaveResponse, auth=True, write=True,
           summary="Save a post (private to me; saving it again changes nothing)")
def save_post(caller, post_id):
    commands.save_post(caller.user_id, post_id)
    return {"saved": True}


@api.route("/api/posts/{post_id}/save", methods=["DELETE"], response=SaveResponse, auth=True, write=True,
           summary="Take a post out of my saved posts (again: the same)")
def unsave_post(caller, post_id):
    commands.unsave_post(caller.user_id, post_id)
    return {"saved": False}


@api.route("/api/saved", methods=["GET"], query=PageQuery, response=[PostResponse], auth=True,
           summary="My saved posts, most recently saved first")
def saved_posts(caller, query):
    return queries.saved_posts(caller.user_id, query.page())
