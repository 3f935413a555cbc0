from __future__ import annotations

from chalicelib.models import SearchEntry, User
from chalicelib.queries.loading import in_order
from chalicelib.queries.paging import Page, PageRequest, query_page
from chalicelib.search_terms import bucket_for, normalise


def search_users(text: str, page: PageRequest) -> Page[User]:
    """Users whose username, or a word of whose full name, starts with text.

    One Query on the index plus one BatchGetItem for the users, whatever the
    number of users. A user matching by two terms (username and a name) is
    listed once per page.
    """
    prefix = normalise(text)
    bucket = bucket_for(prefix)
    entries = query_page(
        lambda **kwargs: SearchEntry.query(bucket, SearchEntry.sort.startswith(prefix), **kwargs),
        page,
        scope=f"search-users:{prefix}",
        key_attributes=(SearchEntry.bucket, SearchEntry.sort),
    )
    user_ids = dict.fromkeys(entry.user_id for entry in entries.items)
    return Page(in_order(User, user_ids), entries.next_cursor)
