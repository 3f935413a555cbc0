from chalicelib.api.http import ApiBlueprint, client_address
from chalicelib.api.schemas import ChangePasswordRequest, LoginRequest, RegisterRequest, TokenResponse, UserResponse
from chalicelib.commands import auth

api = ApiBlueprint(__name__, tag="auth")


@api.route("/api/auth/register", methods=["POST"], status=201, body=RegisterRequest, response=UserResponse,
           errors=(400,), write=True, summary="Register a user")
def register(body):
    # Rate limited per client address.
    user = auth.register(body.username, body.email, body.password, body.full_name,
                         client_address(api.current_request))
    return UserResponse.for_its_owner(user)


@api.route("/api/auth/login", methods=["POST"], body=LoginRequest, response=TokenResponse, errors=(401, 429),
           summary="Log in: a bearer token")
def login(body):
    # Failed logins are rate limited per client address too.
    return TokenResponse.bearer(auth.login(body.email, body.password, client_address(api.current_request)))


@api.route("/api/auth/me", methods=["GET"], response=UserResponse, auth=True,
           summary="The current user, with its email")
def me(caller):
    return UserResponse.for_its_owner(caller)


@api.route("/api/auth/password", methods=["PUT"], body=ChangePasswordRequest, response=TokenResponse,
           errors=(403,), auth=True, write=True,
           summary="Change my password: a new token; every older token stops working")
def change_password(caller, body):
    return TokenResponse.bearer(auth.change_password(caller, body.current_password, body.new_password))
