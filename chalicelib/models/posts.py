from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.models.base import Model, index_meta, table_meta
from chalicelib.models.media import MediaItems


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
    image_url = UnicodeAttribute(null=True)  # with media, the first one's url
    media = MediaItems(default=list)
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
    """A post's top-level comments: sparse, replies carry no post_id."""

    Meta = index_meta("by-post", AllProjection)
    post_id = NumberAttribute(hash_key=True)
    comment_id = NumberAttribute(range_key=True)


class RepliesByComment(GlobalSecondaryIndex):
    """A top-level comment's replies, oldest first."""

    Meta = index_meta("replies", AllProjection)
    parent_id = NumberAttribute(hash_key=True)
    comment_id = NumberAttribute(range_key=True)


class CommentsByAuthor(GlobalSecondaryIndex):
    """A user's comments and replies: what a data export lists."""

    Meta = index_meta("comments-by-author", AllProjection)
    author_id = NumberAttribute(hash_key=True)
    comment_id = NumberAttribute(range_key=True)


class Comment(Model):
    """A top-level comment has post_id and counts its replies; a reply has
    parent_id (always a top-level comment: one level, as on Instagram) and
    keeps its post's id in reply_post_id instead, so that the by-post index
    holds top-level comments only."""

    Meta = table_meta("comments")

    comment_id = NumberAttribute(hash_key=True)
    post_id = NumberAttribute(null=True)
    parent_id = NumberAttribute(null=True)
    reply_post_id = NumberAttribute(null=True)
    reply_count = NumberAttribute(default=0)
    author_id = NumberAttribute()
    author_username = UnicodeAttribute()
    content = UnicodeAttribute()
    created_at = UnicodeAttribute()

    by_post = CommentsByPost()
    replies = RepliesByComment()
    by_author = CommentsByAuthor()

    @property
    def on_post(self) -> int:
        """The post it is on, reply or not."""
        return self.post_id if self.parent_id is None else self.reply_post_id
