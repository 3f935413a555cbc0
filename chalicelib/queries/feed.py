from __future__ import annotations

from dataclasses import dataclass

from chalicelib.config import feed_merge_cap
from chalicelib.models import FeedEntry, LargeFollow, Post
from chalicelib.queries.loading import fetch_many, in_order
from chalicelib.queries.paging import Page, PageRequest, cursor_after, query_page, start_key

# A feed's cursor is its timeline's key, whichever way the page was read, so
# a reader who starts or stops following a large account mid-way keeps paging.
_KEY = (FeedEntry.owner_id, FeedEntry.item_id)


def feed(user_id: int, page: PageRequest) -> Page[Post]:
    """user_id's posts and those of whom they follow, newest first.

    The timeline was filled on write (feed consumer), so a page is one Query
    of the large accounts followed, one of the timeline and one BatchGetItem
    of its posts, however many accounts user_id follows; plus one Query per
    large account followed (at most FEED_MERGE_CAP), whose posts are merged
    in on read instead (see `_merged`).
    """
    scope = f"feed:{user_id}"
    large = [follow.author_id for follow in LargeFollow.query(user_id, limit=feed_merge_cap())]
    if large:
        return _merged(user_id, large, page, scope)
    entries = query_page(
        lambda **kwargs: FeedEntry.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=scope,
        key_attributes=_KEY,
    )
    # A deleted post disappears at once; its entries follow when the consumer ran.
    return Page(in_order(Post, [entry.item_id for entry in entries.items]), entries.next_cursor)


@dataclass(frozen=True)
class _Position:
    owner_id: int
    item_id: int


def _merged(user_id: int, authors: list[int], page: PageRequest, scope: str) -> Page[Post]:
    """The timeline and each large author's newest posts, merged by post id
    (ids grow with time and are unique, so the order is total and a post in
    both is shown once). Every source is read from the same point, just past
    the cursor's post id, for as many posts as the page could need."""
    start = start_key(page, scope, _KEY)
    before = int(start["item_id"]["N"]) if start else None
    skip = 0 if start else page.offset
    wanted = skip + page.limit + 1
    timeline = FeedEntry.query(user_id, FeedEntry.item_id < before if before else None,
                               scan_index_forward=False, limit=wanted)
    ids = {entry.item_id for entry in timeline}
    merged_in: dict[int, Post] = {}
    for author_id in authors:
        for post in Post.by_author.query(author_id, Post.post_id < before if before else None,
                                         scan_index_forward=False, limit=wanted):
            merged_in[post.post_id] = post
    chosen = sorted(ids | set(merged_in), reverse=True)[skip:wanted]
    more = len(chosen) > page.limit
    chosen = chosen[:page.limit]
    loaded = fetch_many(Post, [post_id for post_id in chosen if post_id not in merged_in])
    posts = [merged_in.get(post_id) or loaded.get(post_id) for post_id in chosen]
    next_cursor = cursor_after(_Position(user_id, chosen[-1]), scope, _KEY) if more else None
    # A deleted post disappears at once, as above: the page may be shorter.
    return Page([post for post in posts if post is not None], next_cursor)
