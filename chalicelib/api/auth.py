from chalicelib.api.http import ApiBlueprint, authenticated_user, client_address, json_response, parse_body
from chalicelib.api.schemas import ChangePasswordRequest, LoginRequest, RegisterRequest, token_response, user_response
from chalicelib.commands import auth

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
    return token_response(token)


@api.route("/api/auth/me", methods=["GET"])
def me():
    user = authenticated_user(api.current_request)
    return user_response(user, viewer_id=user.user_id)


@api.route("/api/auth/password", methods=["PUT"])
def change_password():
    request = api.current_request
    user = authenticated_user(request)
    body = parse_body(request, ChangePasswordRequest)
    token = auth.change_password(user, body.current_password, body.new_password)
    return token_response(token)
