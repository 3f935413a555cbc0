from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta

PENDING, READY, FAILED = "pending", "ready", "failed"


class Export(Model):
    """One data export a user asked for (POST /api/users/me/export), newest
    last in the user's partition. The archive is the `object_key` of the
    media bucket once ready; its link is signed when it is shown."""

    Meta = table_meta("exports")

    user_id = NumberAttribute(hash_key=True)
    export_id = NumberAttribute(range_key=True)
    status = UnicodeAttribute(default=PENDING)
    requested_at = UnicodeAttribute()
    object_key = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)  # the link's end, 24 h after the archive was written
    mailed = BooleanAttribute(default=False)  # the mail consumer sent its link: a replay sends nothing
