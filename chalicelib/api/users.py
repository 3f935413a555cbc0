from chalicelib.api.http import ApiBlueprint, viewer_id_of
from chalicelib.api.schemas import (
    DeleteAccountRequest,
    PageQuery,
    PostResponse,
    UpdateProfileRequest,
    UserProfileResponse,
    UserResponse,
)
from chalicelib.commands import accounts
from chalicelib.commands import users as commands
from chalicelib.queries import posts, users
from chalicelib.queries.viewer import page_seen_by

api = ApiBlueprint(__name__, tag="users")


@api.route("/api/users/me", methods=["PUT"], body=UpdateProfileRequest, response=UserResponse, auth=True,
           write=True, summary="Update my profile (omitted or null fields stay)")
def update_me(caller, body):
    user = commands.update_profile(caller, body.full_name, body.bio, body.profile_image_url, body.is_private,
                                   body.profile_media_id)
    return UserResponse.for_its_owner(user)


@api.route("/api/users/me", methods=["DELETE"], status=204, body=DeleteAccountRequest, response=None,
           errors=(403,), auth=True, write=True,
           summary="Delete my account (password required): every token stops working, the username and email "
                   "are free at once; consumers erase the rest (docs/accounts.md)")
def delete_me(caller, body):
    accounts.delete_account(caller, body.password)


@api.route("/api/users/{user_id}", methods=["GET"], response=UserProfileResponse, viewer=True,
           summary="A user's profile with counts")
def profile(viewer, user_id):
    return users.get_profile(user_id, viewer_id_of(viewer))


@api.route("/api/users/{user_id}/posts", methods=["GET"], query=PageQuery, response=[PostResponse],
           viewer=True, errors=(403,), summary="A user's posts, newest first")
def posts_of_user(viewer, user_id, query):
    return page_seen_by(viewer, posts.posts_of_user(user_id, viewer_id_of(viewer), query.page()))


@api.route("/api/users/{user_id}/followers", methods=["GET"], query=PageQuery, response=[UserResponse],
           viewer=True, errors=(403,), summary="A user's followers, latest follow first")
def followers(viewer, user_id, query):
    return users.followers(user_id, viewer_id_of(viewer), query.page())


@api.route("/api/users/{user_id}/following", methods=["GET"], query=PageQuery, response=[UserResponse],
           viewer=True, errors=(403,), summary="Whom a user follows, latest follow first")
def following(viewer, user_id, query):
    return users.following(user_id, viewer_id_of(viewer), query.page())
