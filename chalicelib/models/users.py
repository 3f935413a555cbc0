from pynamodb.attributes import (
    BooleanAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from chalicelib.models.base import Model, table_meta


class User(Model):
    Meta = table_meta("users")

    user_id = NumberAttribute(hash_key=True)
    username = UnicodeAttribute()
    email = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    # Goes up by one on every password change; tokens carry the version they
    # were issued under, so a change retires every older token.
    password_version = NumberAttribute(default=0)
    full_name = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)
    profile_image_url = UnicodeAttribute(null=True)  # with profile_media_id, that media's thumbnail_url
    profile_media_id = NumberAttribute(null=True)
    # False once the account is deleted: the item stays, as a tombstone
    # (docs/accounts.md, "Account deletion"), so that late counter updates
    # land on it rather than create a half user.
    is_active = BooleanAttribute(default=True)
    # Set when the user follows the link of the verification mail. Accounts
    # from before verification existed have none: unverified.
    email_verified = BooleanAttribute(default=False)
    # Only the owner and approved followers see its posts and lists.
    is_private = BooleanAttribute(default=False)
    # Set by the feed consumer while the account has more than
    # FEED_LARGE_ACCOUNT followers: its posts are merged into feeds on read
    # rather than fanned out.
    is_large = BooleanAttribute(default=False)
    # Notifications with an id up to this were all marked read at once
    # (read-all). Here rather than in read-marks because the token check
    # already reads this item: a notifications page costs no read for it.
    # None on accounts from before it moved here, whose mark is still in
    # read-marks until their next read-all.
    notifications_read_up_to = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    post_count = NumberAttribute(default=0)
    follower_count = NumberAttribute(default=0)
    following_count = NumberAttribute(default=0)

    @property
    def deleted(self) -> bool:
        """A deleted account's tombstone: to every reader, no account at all."""
        return self.is_active is False


class UniqueKey(Model):
    """Claims a value that must be unique across users (an email, a
    username). Written with attribute_not_exists in the same transaction as
    the user, so two concurrent claims cannot both succeed; it is also the
    key lookup that login by email uses."""

    Meta = table_meta("unique-keys")

    key = UnicodeAttribute(hash_key=True)
    user_id = NumberAttribute()

    @staticmethod
    def for_email(email: str) -> str:
        return f"email#{email.strip().lower()}"

    @staticmethod
    def for_username(username: str) -> str:
        return f"username#{username.lower()}"
