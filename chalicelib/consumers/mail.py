"""Mail consumer: sends the mails that ask a person to act (verify the
address, reset the password), each with a link holding a fresh token, and
the news that a data export is ready, with a link to the web app's account
settings: there the archive's link is signed afresh each time it is shown,
where a presigned URL in a mail would end with the Lambda credentials that
signed it (hours on AWS, not the export's 24 h).

The token is a keyed hash of the event's own random id (HMAC-SHA256 with
the signing secret: 256 bits nobody without that secret can compute), so a
redelivered event yields the same token rather than a second one: its
record says whether its mail went out already, and a replay sends nothing.
Only the token's SHA-256 is stored (chalicelib/commands/accounts.py)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from chalicelib import clock, mail, security
from chalicelib.commands.accounts import PASSWORD_RESET, VERIFY_EMAIL, token_hash
from chalicelib.events import (
    EmailVerificationRequested,
    Event,
    ExportReady,
    PasswordResetRequested,
    UserRegistered,
)
from chalicelib.models import AccountToken, Export, UniqueKey, User
from chalicelib.models.base import condition_failed, stored_now

VERIFY_EMAIL_TTL = timedelta(hours=24)
PASSWORD_RESET_TTL = timedelta(hours=1)


def send_verification(event: Event[UserRegistered | EmailVerificationRequested]) -> None:
    user = stored_now(User, event.payload.user_id)
    # A deleted account has no address left, and nobody to mail.
    if user is None or user.deleted or user.email_verified:
        return
    token = _issue(event, AccountToken(purpose=VERIFY_EMAIL, user_id=user.user_id, email=user.email),
                   VERIFY_EMAIL_TTL)
    if token:
        mail.send(user.email, VERIFY_EMAIL, username=user.username, email=user.email,
                  link=mail.link("verify-email", token))
        _mailed(token)


def send_password_reset(event: Event[PasswordResetRequested]) -> None:
    claim = stored_now(UniqueKey, UniqueKey.for_email(event.payload.email))
    user = stored_now(User, claim.user_id) if claim else None
    if user is None or user.deleted:
        return  # no such account: nobody to mail, and the request said nothing
    token = _issue(event, AccountToken(purpose=PASSWORD_RESET, user_id=user.user_id,
                                       password_version=user.password_version), PASSWORD_RESET_TTL)
    if token:
        mail.send(user.email, PASSWORD_RESET, username=user.username, link=mail.link("reset-password", token))
        _mailed(token)


def send_export_link(event: Event[ExportReady]) -> None:
    export = stored_now(Export, event.payload.user_id, event.payload.export_id)
    user = stored_now(User, event.payload.user_id)
    if export is None or export.mailed or export.object_key is None or user is None or user.deleted:
        return
    if datetime.fromisoformat(export.expires_at) <= clock.now():
        return
    mail.send(user.email, "export-ready", username=user.username, link=mail.link("edit"),
              expires_at=export.expires_at)
    export.update(actions=[Export.mailed.set(True)])


def _issue(event: Event, record: AccountToken, lifetime: timedelta) -> str | None:
    """This event's token, stored (hashed) if it was not yet; None when its
    mail was already sent (a redelivery) or its time is up."""
    expires_at = datetime.fromisoformat(event.occurred_at) + lifetime
    digest = hmac.new(security.account_token_key(), f"{record.purpose}#{event.event_id}".encode(),
                      hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    stored = stored_now(AccountToken, token_hash(token))
    if stored is not None:
        return None if stored.mailed else token
    if expires_at <= clock.now():
        return None  # a delivery this late would mail a dead link
    record.token_hash, record.expires_at = token_hash(token), expires_at
    try:
        record.save(condition=AccountToken.token_hash.does_not_exist())
    except PutError as error:
        if not condition_failed(error):
            raise
        # Another delivery of this event got here first: it sends the mail.
        return None
    return token


def _mailed(token: str) -> None:
    AccountToken(token_hash(token)).update(actions=[AccountToken.mailed.set(True)])


HANDLERS = {
    UserRegistered: send_verification,
    EmailVerificationRequested: send_verification,
    PasswordResetRequested: send_password_reset,
    ExportReady: send_export_link,
}
