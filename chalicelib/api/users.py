from chalicelib.api.http import (
    ApiBlueprint,
    authenticated_user,
    paged_response,
    parse_body,
    parse_query,
    path_id,
)
from chalicelib.api.schemas import PageQuery, UpdateProfileRequest, profile_response, user_response
from chalicelib.commands import users as commands
from chalicelib.queries import users

api = ApiBlueprint(__name__)


@api.route("/api/users/me", methods=["PUT"])
def update_me():
    me = authenticated_user(api.current_request)
    body = parse_body(api.current_request, UpdateProfileRequest)
    user = commands.update_profile(me, body.full_name, body.bio, body.profile_image_url)
    return user_response(user, viewer_id=me.user_id)


@api.route("/api/users/{user_id}", methods=["GET"])
def profile(user_id):
    return profile_response(users.get_user(path_id(user_id, "User")))


@api.route("/api/users/{user_id}/followers", methods=["GET"])
def followers(user_id):
    user_id = path_id(user_id, "User")
    query = parse_query(api.current_request, PageQuery)
    return paged_response(users.followers(user_id, query.page()), user_response)


@api.route("/api/users/{user_id}/following", methods=["GET"])
def following(user_id):
    user_id = path_id(user_id, "User")
    query = parse_query(api.current_request, PageQuery)
    return paged_response(users.following(user_id, query.page()), user_response)
