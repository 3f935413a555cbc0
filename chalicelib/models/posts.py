from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import Model, index_meta, table_meta


class PostsByAuthor(GlobalSecondaryIndex):
    Meta = index_meta("by-author", AllProjection)
    author_id = NumberAttribute(hash_key=True)
    post_id = NumberAttribute(range_key=True)


class Post(Model):
    """A post. author_username is copied in: usernames never change."""

    Meta = table_meta("posts")

    post_id = NumberAttribute(hash_key=True)
    author_id = NumberAttribute()
    author_username = UnicodeAttribute()
    content = UnicodeAttribute(null=True)
    image_url = UnicodeAttribute(null=True)
    hashtags = ListAttribute(of=UnicodeAttribute, default=list)
    like_count = NumberAttribute(default=0)
    comment_count = NumberAttribute(default=0)
    created_at = UnicodeAttribute()

    by_author = PostsByAuthor()


class Like(Model):
    """One per (post, user): the key makes a second like impossible.
    like_id is time-ordered and doubles as the id of its notification."""

    Meta = table_meta("likes")

    post_id = NumberAttribute(hash_key=True)
    user_id = NumberAttribute(range_key=True)
    like_id = NumberAttribute()


class CommentsByPost(GlobalSecondaryIndex):
    Meta = index_meta("by-post", AllProjection)
    post_id = NumberAttribute(hash_key=True)
    comment_id = NumberAttribute(range_key=True)


class Comment(Model):
    Meta = table_meta("comments")

    comment_id = NumberAttribute(hash_key=True)
    post_id = NumberAttribute()
    author_id = NumberAttribute()
    author_username = UnicodeAttribute()
    content = UnicodeAttribute()
    created_at = UnicodeAttribute()

    by_post = CommentsByPost()
