from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from chalicelib.models.base import Model, table_meta


class Hashtag(Model):
    """A tag's name, for prefix search: bucket "tag#<first character>"."""

    Meta = table_meta("hashtags")

    bucket = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)
    hashtag_id = NumberAttribute()

    @staticmethod
    def bucket_for(name: str) -> str:
        return f"tag#{name[0]}"


class HashtagPost(Model):
    """A post carrying a tag, written only by the hashtags consumer."""

    Meta = table_meta("hashtag-posts")

    name = UnicodeAttribute(hash_key=True)
    post_id = NumberAttribute(range_key=True)
