from __future__ import annotations

from typing import Optional

from chalicelib.errors import Invalid
from chalicelib.models import Hashtag, HashtagPost, Post, User
from chalicelib.queries.access import without_blocked
from chalicelib.queries.loading import fetch_many, in_order
from chalicelib.queries.paging import Page, PageRequest, query_page

# No stored tag is longer (commands.posts caps tags far below it); a longer
# or empty name must not reach DynamoDB, which refuses such a key.
_MAX_KEY_BYTES = 1024


def tag_name(text: str) -> str:
    """A tag as users type it ("#Sunset", "sunset") as it is stored."""
    return text.strip().removeprefix("#").lower()


def search_hashtags(text: str, page: PageRequest) -> Page[Hashtag]:
    """Tags starting with text, in name order: one Query on one bucket. Only
    tags that some post visible to everyone carries (public_count above
    zero): a tag used only by private accounts, or only by deleted posts,
    names nothing anyone may see, and its name alone can leak (a street, a
    phone number). The page may then be shorter than its limit; its cursor
    leads on."""
    prefix = tag_name(text)
    if not prefix:
        raise Invalid("q: must contain at least one character of a hashtag")
    tags = query_page(
        lambda **kwargs: Hashtag.query(Hashtag.bucket_for(prefix), Hashtag.name.startswith(prefix), **kwargs),
        page,
        scope=f"search-hashtags:{prefix}",
        key_attributes=(Hashtag.bucket, Hashtag.name),
    )
    return Page([tag for tag in tags.items if tag.public_count > 0], tags.next_cursor)


def posts_with_hashtag(tag: str, viewer_id: Optional[int], page: PageRequest) -> Page[Post]:
    """Newest first: one Query on the tag, one BatchGetItem for the posts,
    one for their distinct authors, one for the viewer's block items for
    them. A post deleted before the consumer unindexed it is left out, and
    so is every post of a private account, of a deleted one, or of anyone
    blocked either way (the page may then be shorter than its limit; its cursor leads on)."""
    name = tag_name(tag)
    if not name or len(name.encode()) > _MAX_KEY_BYTES:
        return Page([], None)
    entries = query_page(
        lambda **kwargs: HashtagPost.query(name, scan_index_forward=False, **kwargs),
        page,
        scope=f"hashtag-posts:{name}",
        key_attributes=(HashtagPost.name, HashtagPost.post_id),
    )
    posts = in_order(Post, [entry.post_id for entry in entries.items])
    authors = fetch_many(User, [post.author_id for post in posts])
    public = [post for post in posts if post.author_id in authors and not authors[post.author_id].is_private
              and not authors[post.author_id].deleted]
    return Page(without_blocked(viewer_id, public, lambda post: post.author_id), entries.next_cursor)
