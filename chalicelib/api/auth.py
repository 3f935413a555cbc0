from chalicelib.api.http import ApiBlueprint, authenticated_user_id, client_address, json_response, parse_body
from chalicelib.api.schemas import LoginRequest, RegisterRequest, user_response
from chalicelib.commands import auth
from chalicelib.queries import users

api = ApiBlueprint(__name__)


@api.route("/api/auth/register", methods=["POST"])
def register():
    body = parse_body(api.current_request, RegisterRequest)
    user = auth.register(body.username, body.email, body.password, body.full_name)
    return json_response(user_response(user, viewer_id=user.user_id), status=201)


@api.route("/api/auth/login", methods=["POST"])
def login():
    request = api.current_request
    body = parse_body(request, LoginRequest)
    token = auth.login(body.email, body.password, client_address(request))
    return {"access_token": token, "token_type": "bearer"}


@api.route("/api/auth/me", methods=["GET"])
def me():
    user_id = authenticated_user_id(api.current_request)
    return user_response(users.get_current_user(user_id), viewer_id=user_id)
