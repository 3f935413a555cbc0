from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import FollowResponse
from chalicelib.commands import follows

api = ApiBlueprint(__name__, tag="follows")


@api.route("/api/follow/{user_id}", methods=["POST"], response=FollowResponse, errors=(400,), auth=True,
           write=True, summary="Follow a user")
def follow(caller, user_id):
    follows.follow(caller.user_id, user_id)
    return {"following": True}


@api.route("/api/follow/{user_id}", methods=["DELETE"], response=FollowResponse, errors=(400,), auth=True,
           write=True, summary="Unfollow a user")
def unfollow(caller, user_id):
    follows.unfollow(caller.user_id, user_id)
    return {"following": False}
