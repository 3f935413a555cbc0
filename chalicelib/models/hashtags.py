from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class Hashtag(Model):
    """A tag's name, for prefix search: bucket "tag#<first character>".
    public_count: how many posts visible to everyone carry it (posts of
    public accounts, not deleted), kept by the hashtags consumer; search
    names only tags above zero, so a tag used only privately, or only by
    deleted posts, is not found."""

    Meta = table_meta("hashtags")

    bucket = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)
    hashtag_id = NumberAttribute()
    public_count = NumberAttribute(default=0)

    @staticmethod
    def bucket_for(name: str) -> str:
        return f"tag#{name[0]}"


class HashtagPost(Model):
    """A post carrying a tag, written only by the hashtags consumer. counted:
    whether it is in its tag's public_count, changed in one transaction with
    that count, so that counting twice is counting once."""

    Meta = table_meta("hashtag-posts")

    name = UnicodeAttribute(hash_key=True)
    post_id = NumberAttribute(range_key=True)
    counted = BooleanAttribute(default=False)
