from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class RateLimit(Model):
    """How many requests one bucket (`login-account#<sha256 of the email>`,
    `login-pair#<sha256 of the email and address>`, `login-ip#<sha256 of the
    address>`, `register-ip#<sha256 of the address>`, `password#<user id>`,
    `writes#<user id>`, `uploads#<user id>`) made in one fixed
    window, keyed by the window's start in epoch seconds. Counted with one
    conditional UpdateItem (chalicelib/rate_limits.py); TTL removes old
    windows."""

    Meta = table_meta("rate-limits")

    bucket = UnicodeAttribute(hash_key=True)
    window = NumberAttribute(range_key=True)
    count = NumberAttribute(default=0)
    # For paced buckets (rate_limits.pace): no request before this epoch second.
    not_before = NumberAttribute(null=True)
    expires_at = TTLAttribute()
