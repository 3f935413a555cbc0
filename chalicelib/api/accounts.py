"""Email verification and password reset (docs/accounts.md). The mails are
sent by the mail consumer, never here."""
from chalicelib.api.http import ApiBlueprint, client_address
from chalicelib.api.schemas import (
    PasswordResetConfirmRequest,
    PasswordResetRequest,
    StatusResponse,
    VerifyEmailRequest,
)
from chalicelib.commands import accounts

api = ApiBlueprint(__name__, tag="auth")

OK = {"status": "ok"}


@api.route("/api/auth/verify-email", methods=["POST"], body=VerifyEmailRequest, response=StatusResponse,
           errors=(400,), summary="Confirm my email address with the token of the verification mail")
def verify_email(body):
    accounts.verify_email(body.token)
    return OK


@api.route("/api/auth/verify-email/resend", methods=["POST"], status=202, response=StatusResponse, errors=(400,),
           auth=True, write=True, summary="Send the verification mail again")
def resend_verification(caller):
    accounts.resend_verification(caller)
    return OK


@api.route("/api/auth/password-reset", methods=["POST"], status=202, body=PasswordResetRequest,
           response=StatusResponse, write=True,
           summary="Mail a password reset link to this address, if an account has it (the answer is the same)")
def request_password_reset(body):
    accounts.request_password_reset(body.email, client_address(api.current_request))
    return OK


@api.route("/api/auth/password-reset/confirm", methods=["POST"], body=PasswordResetConfirmRequest,
           response=StatusResponse, errors=(400,),
           summary="Set a new password with the token of the reset mail; every earlier token stops working")
def confirm_password_reset(body):
    accounts.confirm_password_reset(body.token, body.new_password)
    return OK
