from __future__ import annotations

import heapq
from dataclasses import dataclass

from chalicelib.config import feed_merge_cap
from chalicelib.models import FeedEntry, Follow, LargeFollow, Post
from chalicelib.queries.access import in_order_by_accounts
from chalicelib.queries.loading import fetch_many
from chalicelib.queries.paging import Page, PageRequest, cursor_after, query_page, start_key

# A feed's cursor is its timeline's key, whichever way the page was read, so
# a reader who starts or stops following a large account mid-way keeps paging.
_KEY = (FeedEntry.owner_id, FeedEntry.item_id)


def feed(user_id: int, page: PageRequest) -> Page[Post]:
    """user_id's posts and those of whom they follow, newest first.

    The timeline was filled on write (feed consumer), so a page is one Query
    of the large accounts followed, one of the timeline and one BatchGetItem
    of its posts and their authors (a deleted account's posts are left
    out), however many accounts user_id follows; plus, with large
    accounts (at most FEED_MERGE_CAP), one BatchGetItem of the follows
    themselves and one Query per account, whose posts are merged in on read
    (see `_merged`).
    """
    scope = f"feed:{user_id}"
    large = [follow.author_id for follow in LargeFollow.query(user_id, limit=feed_merge_cap())]
    if large:
        # The consumer removes a large follow after its follow ends; until
        # then, and if a late event put one back, the follow itself decides.
        follows = fetch_many(Follow, [(user_id, author_id) for author_id in large])
        large = [author_id for author_id in large if (user_id, author_id) in follows]
    if large:
        return _merged(user_id, large, page, scope)
    entries = query_page(
        lambda **kwargs: FeedEntry.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=scope,
        key_attributes=_KEY,
    )
    # A deleted post, or one of a deleted account, disappears at once; its
    # entries follow when the consumers ran. The entries name the authors:
    # they are read with the posts, in the same BatchGetItem.
    return Page(in_order_by_accounts(Post, [(entry.item_id, entry.author_id) for entry in entries.items], user_id),
                entries.next_cursor)


@dataclass(frozen=True)
class _Position:
    owner_id: int
    item_id: int


def _merged(user_id: int, authors: list[int], page: PageRequest, scope: str) -> Page[Post]:
    """The timeline's post ids and each large author's, merged newest first
    (ids grow with time and are unique, so the order is total, and a post in
    both is shown once), read lazily from just past the cursor's post id, a
    page of at most 100 at a time per source, until the page is full; then
    one BatchGetItem of the posts chosen."""
    start = start_key(page, scope, _KEY)
    before = int(start["item_id"]["N"]) if start else None
    skip = 0 if start else page.offset
    wanted = skip + page.limit + 1
    reading = {"scan_index_forward": False, "limit": wanted, "page_size": min(wanted, 100)}
    author_of: dict[int, int] = {}

    def noted(post_id: int, author_id: int) -> int:
        author_of[post_id] = author_id
        return post_id

    sources = [(noted(entry.item_id, entry.author_id) for entry in FeedEntry.query(
        user_id, FeedEntry.item_id < before if before else None, **reading))]
    sources += [(noted(post.post_id, author_id) for post in Post.by_author.query(
        author_id, Post.post_id < before if before else None, **reading)) for author_id in authors]
    ids: list[int] = []
    for post_id in heapq.merge(*sources, reverse=True):
        if ids and ids[-1] == post_id:
            continue  # in the timeline from before its author grew large
        ids.append(post_id)
        if len(ids) == wanted:
            break
    chosen = ids[skip:]
    more = len(chosen) > page.limit
    chosen = chosen[:page.limit]
    next_cursor = cursor_after(_Position(user_id, chosen[-1]), scope, _KEY) if more else None
    # A deleted post disappears at once, as above: the page may be shorter.
    return Page(in_order_by_accounts(Post, [(post_id, author_of[post_id]) for post_id in chosen], user_id),
                next_cursor)
