from __future__ import annotations

from typing import Optional

from chalicelib.models import SearchEntry, User
from chalicelib.queries.access import accounts_in_order, without_blocked
from chalicelib.queries.paging import Page, PageRequest, query_page
from chalicelib.search_terms import bucket_for, normalise


def search_users(text: str, viewer_id: Optional[int], page: PageRequest) -> Page[User]:
    """Users whose username, or a word of whose full name, starts with text.

    One Query on the index plus one BatchGetItem for the users, whatever the
    number of users, and with a viewer one for their block items (users
    blocked either way are left out, and so are deleted accounts, whose
    entries the erasure removes later). A user matching by two terms (say username and first
    name) is listed only at the first of them, so pages never repeat a user
    (a page may come out shorter than limit).
    """
    prefix = normalise(text)
    bucket = bucket_for(prefix)
    entries = query_page(
        lambda **kwargs: SearchEntry.query(bucket, SearchEntry.sort.startswith(prefix), **kwargs),
        page,
        scope=f"search-users:{prefix}",
        key_attributes=(SearchEntry.bucket, SearchEntry.sort),
    )
    user_ids = [entry.user_id for entry in entries.items if _first_match(entry, prefix)]
    return Page(without_blocked(viewer_id, accounts_in_order(user_ids), lambda user: user.user_id), entries.next_cursor)


def _first_match(entry: SearchEntry, prefix: str) -> bool:
    term = entry.sort.rsplit("#", 1)[0]
    return not any(other < term and other.startswith(prefix) for other in entry.terms or [])
