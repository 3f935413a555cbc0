from __future__ import annotations

from chalicelib.models import FeedEntry, Post
from chalicelib.queries.loading import in_order
from chalicelib.queries.paging import Page, PageRequest, query_page


def feed(user_id: int, page: PageRequest) -> Page[Post]:
    """user_id's posts and those of whom they follow, newest first.

    The timeline was filled on write (feed consumer), so a page is one Query
    plus one BatchGetItem however many accounts user_id follows.
    """
    entries = query_page(
        lambda **kwargs: FeedEntry.query(user_id, scan_index_forward=False, **kwargs),
        page,
        scope=f"feed:{user_id}",
        key_attributes=(FeedEntry.owner_id, FeedEntry.item_id),
    )
    # A deleted post disappears at once; its entries follow when the consumer ran.
    return Page(in_order(Post, [entry.item_id for entry in entries.items]), entries.next_cursor)
