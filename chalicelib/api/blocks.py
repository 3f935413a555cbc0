from chalicelib.api.http import ApiBlueprint
from chalicelib.api.schemas import BlockResponse, PageQuery, UserResponse
from chalicelib.commands import blocks
from chalicelib.queries import users

api = ApiBlueprint(__name__, tag="blocks")


@api.route("/api/blocks/{user_id}", methods=["POST"], response=BlockResponse, errors=(400,), auth=True,
           write=True, summary="Block a user: follows and requests end both ways (again: the same)")
def block(caller, user_id):
    blocks.block(caller.user_id, user_id)
    return {"blocked": True}


@api.route("/api/blocks/{user_id}", methods=["DELETE"], response=BlockResponse, errors=(400,), auth=True,
           write=True,
           summary="Unblock a user (again: the same)")
def unblock(caller, user_id):
    blocks.unblock(caller.user_id, user_id)
    return {"blocked": False}


@api.route("/api/blocks", methods=["GET"], query=PageQuery, response=[UserResponse], auth=True,
           summary="Whom I blocked, newest first")
def blocked(caller, query):
    return users.blocked_by(caller.user_id, query.page())
