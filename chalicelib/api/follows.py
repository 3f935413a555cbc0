from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import FollowResponse, PageQuery, StatusResponse, UserResponse
from chalicelib.commands import follows
from chalicelib.queries import users

api = ApiBlueprint(__name__, tag="follows")


@api.route("/api/follow/{user_id}", methods=["POST"], response=FollowResponse, errors=(400,), auth=True,
           write=True, summary="Follow a user, or ask a private account to approve")
def follow(caller, user_id):
    return follows.follow(caller.user_id, user_id)


@api.route("/api/follow/{user_id}", methods=["DELETE"], response=FollowResponse, errors=(400,), auth=True,
           write=True, summary="Unfollow a user, or withdraw my request")
def unfollow(caller, user_id):
    follows.unfollow(caller.user_id, user_id)
    return follows.NEITHER


@api.route("/api/follow/requests", methods=["GET"], query=PageQuery, response=[UserResponse], auth=True,
           summary="Who asked to follow me, newest first")
def follow_requests(caller, query):
    return users.follow_requests(caller.user_id, query.page())


@api.route("/api/follow/requests/{user_id}/approve", methods=["POST"], response=StatusResponse, auth=True,
           write=True, summary="Approve a follow request: the follow exists from now on")
def approve(caller, user_id):
    follows.approve(caller.user_id, user_id)
    return {"status": "ok"}


@api.route("/api/follow/requests/{user_id}", methods=["DELETE"], response=StatusResponse, auth=True,
           write=True, summary="Decline a follow request")
def decline(caller, user_id):
    follows.decline(caller.user_id, user_id)
    return {"status": "ok"}
