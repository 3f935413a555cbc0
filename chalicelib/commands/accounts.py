"""Email verification, password reset and account deletion: the requests' side. The mails
themselves, and the tokens they carry, are the mail consumer's
(chalicelib/consumers/mail.py); a request only checks, writes and publishes.

A token is known to its mail only: `account-tokens` keeps its SHA-256, so a
request finds the record by hashing what it was given. Each token works
once (`used`, set by a conditional update in the same transaction as its
effect) and until its `expires_at`, read against chalicelib/clock.py."""
from __future__ import annotations

import hashlib

from chalicelib import clock, events, rate_limits, security
from chalicelib.commands.auth import check_password
from chalicelib.config import account_mail_limits
from chalicelib.errors import NO_SUCH_USER, Conflict, Unauthorized
from chalicelib.models import AccountToken, UniqueKey, User
from chalicelib.models.base import stored_now
from chalicelib.writes import SKIP, Writes, command

VERIFY_EMAIL = "verify-email"
PASSWORD_RESET = "password-reset"
INVALID_TOKEN = "Invalid or expired token"
ALREADY_VERIFIED = "Email already verified"
HOUR = 3600


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode(errors="surrogatepass")).hexdigest()


def _usable_token(token: str, purpose: str) -> AccountToken:
    """The unused, unexpired record of token for purpose, or Conflict."""
    if not token or len(token) > 200:  # ours are 43 characters; DynamoDB refuses keys over 2 KB
        raise Conflict(INVALID_TOKEN)
    # Consistent: a token used a moment ago must already count as used.
    record = stored_now(AccountToken, token_hash(token))
    if record is None or record.purpose != purpose or record.used or record.expires_at <= clock.now():
        raise Conflict(INVALID_TOKEN)
    return record


def _use(writes: Writes, record: AccountToken) -> None:
    """Marks the token used, in the same transaction as its effect: two
    requests with one token cannot both succeed."""
    writes.update(AccountToken(record.token_hash), [AccountToken.used.set(True)],
                  condition=AccountToken.token_hash.exists() & (AccountToken.used == False),  # noqa: E712
                  otherwise=Conflict(INVALID_TOKEN))


# --- email verification ---------------------------------------------------------------

def verify_email(token: str) -> None:
    _verify_email(_usable_token(token, VERIFY_EMAIL))


@command("verify the email")
def _verify_email(writes: Writes, record: AccountToken) -> None:
    _use(writes, record)
    # Only the address the mail went to: one changed since is not proved by it.
    writes.update(User(record.user_id), [User.email_verified.set(True)],
                  condition=User.user_id.exists() & (User.email == record.email), otherwise=Conflict(INVALID_TOKEN))
    writes.publish(events.EmailVerified(user_id=record.user_id))


def resend_verification(user: User) -> None:
    """Asks the mail consumer for another verification mail (its link is a
    new token; earlier ones keep working until they expire)."""
    if user.email_verified:
        raise Conflict(ALREADY_VERIFIED)
    rate_limits.hit(f"verify-resend#{user.user_id}", account_mail_limits()["resend"], HOUR)
    _request_verification(user.user_id)


@command("send the verification mail")
def _request_verification(writes: Writes, user_id: int) -> None:
    writes.check(User, user_id, condition=User.user_id.exists(), otherwise=Unauthorized(NO_SUCH_USER))
    writes.publish(events.EmailVerificationRequested(user_id=user_id))


# --- password reset -------------------------------------------------------------------

# The longest a reset for one address waits behind others' requests for it.
RESET_MAX_DELAY_SECONDS = 15 * 60


def request_password_reset(email: str, client_address: str) -> None:
    """The same work, answer and time whether or not an account has this
    address: the request never looks; the mail consumer does, and mails
    only a known one. Limited per email address (one address is one
    account: it is how the account is found) and per client address.
    Anyone can ask for anyone's address, so that limit paces rather than
    locks: past its free requests each next one waits longer, at most
    RESET_MAX_DELAY_SECONDS, so a stranger can neither keep the owner from
    a reset nor flood their inbox."""
    address = email.strip().lower()
    limits = account_mail_limits()
    rate_limits.hit(rate_limits.bucket_for("reset-client", client_address), limits["reset_client"], HOUR)
    rate_limits.pace(rate_limits.bucket_for("reset-email", address), limits["reset_email"], HOUR,
                     RESET_MAX_DELAY_SECONDS)
    _request_reset(address)


@command("ask for a password reset")
def _request_reset(writes: Writes, email: str) -> None:
    writes.publish(events.PasswordResetRequested(email=email))


def confirm_password_reset(token: str, new_password: str) -> None:
    record = _usable_token(token, PASSWORD_RESET)
    # Hashed once, outside the retried part: it is the slow step.
    _reset_password(record, security.hash_password(new_password))


@command("reset the password")
def _reset_password(writes: Writes, record: AccountToken, password_hash: str) -> None:
    _use(writes, record)
    # A password changed since the token was issued (another reset
    # included) retires it; this change retires every access token and every
    # other reset token issued before it, which all carry the old version.
    writes.update(User(record.user_id),
                  [User.password_hash.set(password_hash), User.password_version.set(record.password_version + 1)],
                  condition=User.password_version == record.password_version, otherwise=Conflict(INVALID_TOKEN))
    writes.publish(events.UserPasswordChanged(user_id=record.user_id))



# --- account deletion -----------------------------------------------------------------

WRONG_PASSWORD = "Password is incorrect"
# Not a bcrypt hash: security.verify_password matches no password against it.
DELETED_PASSWORD_HASH = "!deleted"


def delete_account(user: User, password: str) -> None:
    """Deletes the signed-in user's account, if password is theirs (a wrong
    one counts as check_password says). What must hold from the answer on is
    one transaction: the user item becomes a tombstone (is_active false, its
    personal fields gone, a hash no password matches, a new password_version
    that retires every token) and its email and username are free again. The
    rest is erased by the consumers of user.deleted (docs/accounts.md)."""
    check_password(user, password, WRONG_PASSWORD)
    # No refund: the account whose attempts the bucket counts is gone.
    _delete_account(user)


@command("delete the account")
def _delete_account(writes: Writes, user: User) -> None:
    # The hash checked is still the stored one: the account exists, is not
    # deleted yet, and its password did not change since (else: a token
    # that no longer holds, 401, as a second DELETE gets).
    writes.update(User(user.user_id), [
        User.is_active.set(False),
        User.password_hash.set(DELETED_PASSWORD_HASH),
        User.password_version.set(user.password_version + 1),
        User.email.remove(),
        User.email_verified.remove(),
        User.full_name.remove(),
        User.bio.remove(),
        User.profile_image_url.remove(),
        User.profile_media_id.remove(),
    ], condition=User.password_hash == user.password_hash, otherwise=Unauthorized(NO_SUCH_USER))
    # Only claims that still name this user: never free someone else's.
    for key in (UniqueKey.for_email(user.email), UniqueKey.for_username(user.username)):
        writes.delete(UniqueKey(key=key), condition=UniqueKey.user_id == user.user_id, otherwise=SKIP)
    writes.publish(events.UserDeleted(user_id=user.user_id, username=user.username,
                                      media_ids=[user.profile_media_id] if user.profile_media_id else []))
