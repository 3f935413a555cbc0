from chalicelib.api.http import ApiBlueprint, authenticated_user_id, path_id
from chalicelib.commands import follows

api = ApiBlueprint(__name__)


@api.route("/api/follow/{user_id}", methods=["POST"])
def follow(user_id):
    follower_id = authenticated_user_id(api.current_request)
    follows.follow(follower_id, path_id(user_id, "User"))
    return {"following": True}


@api.route("/api/follow/{user_id}", methods=["DELETE"])
def unfollow(user_id):
    follower_id = authenticated_user_id(api.current_request)
    followee_id = path_id(user_id, "User")
    follows.unfollow(follower_id, followee_id)
    return {"following": False}

