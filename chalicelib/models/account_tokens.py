from pynamodb.attributes import BooleanAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import GlobalSecondaryIndex, KeysOnlyProjection

from chalicelib.models.base import Model, index_meta, table_meta


class TokensByUser(GlobalSecondaryIndex):
    """A user's tokens: what the erasure of a deleted account deletes (a
    verify-email token names an address)."""

    Meta = index_meta("tokens-by-user", KeysOnlyProjection)
    user_id = NumberAttribute(hash_key=True)


class AccountToken(Model):
    """A token mailed to a user (email verification, password reset), keyed
    by its SHA-256: the token itself is stored nowhere. Marked `used` by the
    request that uses it (single use: a conditional update), kept so that a
    replayed event cannot issue it again; TTL removes it some time after
    `expires_at`, so reads check the expiry themselves
    (chalicelib/commands/accounts.py)."""

    Meta = table_meta("account-tokens")

    token_hash = UnicodeAttribute(hash_key=True)
    purpose = UnicodeAttribute()  # "verify-email" or "password-reset"
    user_id = NumberAttribute()
    # verify-email: the address it proves (an address changed since is not verified by it).
    email = UnicodeAttribute(null=True)
    # password-reset: the user's password_version when it was issued; any
    # password change since (another reset included) retires it.
    password_version = NumberAttribute(null=True)
    expires_at = TTLAttribute()
    mailed = BooleanAttribute(default=False)  # the mail consumer sent it: a replay sends nothing
    used = BooleanAttribute(default=False)

    by_user = TokensByUser()
