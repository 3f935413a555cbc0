from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class RateLimit(Model):
    """How many requests one bucket (`login-account#<sha256 of the email>`,
    `login-ip#<sha256 of the address>`, `writes#<user id>`) made in one fixed
    window, keyed by the window's start in epoch seconds. Counted with one
    conditional UpdateItem (chalicelib/rate_limits.py); TTL removes old
    windows."""

    Meta = table_meta("rate-limits")

    bucket = UnicodeAttribute(hash_key=True)
    window = NumberAttribute(range_key=True)
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute()
