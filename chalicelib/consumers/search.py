"""Search consumer: keeps the user search index in step with the users table.

It reconciles the index with the user as stored now rather than applying the
event's data, so replays and out-of-order deliveries converge on the same
state.
"""
from __future__ import annotations

from chalicelib.batches import batch_write
from chalicelib.events import Event, UserDeleted, UserRegistered, UserUpdated
from chalicelib.models import SearchEntry, User
from chalicelib.models.base import stored_now
from chalicelib.search_terms import bookkeeping_bucket, bucket_for, sort_key, terms_for

_BOOKKEEPING_SORT = "terms"


def index_user(event: Event[UserRegistered | UserUpdated | UserDeleted]) -> None:
    user_id = event.payload.user_id
    user = stored_now(User, user_id)
    # A deleted account (its tombstone) has no terms: an event about it that
    # arrives late unindexes rather than indexes it.
    wanted = terms_for(user.username, user.full_name) if user and not user.deleted else set()
    indexed = _indexed_terms(user_id)
    if wanted == indexed:
        return
    # Record the union first: if we crash part-way, the next run still knows
    # every entry that may exist and can remove the stale ones.
    _record_terms(user_id, wanted | indexed)
    with batch_write(SearchEntry) as batch:
        for term in indexed - wanted:
            batch.delete(SearchEntry(bucket_for(term), sort_key(term, user_id)))
        # Every entry carries all of the user's terms (see search_users), so
        # all are rewritten when any changes.
        for term in wanted:
            batch.save(SearchEntry(bucket_for(term), sort_key(term, user_id), user_id=user_id, terms=sorted(wanted)))
    if wanted:
        _record_terms(user_id, wanted)
    else:
        # A deleted account: not even the record of its (no) terms stays.
        SearchEntry(bookkeeping_bucket(user_id), _BOOKKEEPING_SORT).delete()


def _indexed_terms(user_id: int) -> set[str]:
    try:
        return set(SearchEntry.get(bookkeeping_bucket(user_id), _BOOKKEEPING_SORT, consistent_read=True).terms or [])
    except SearchEntry.DoesNotExist:
        return set()


def _record_terms(user_id: int, terms: set[str]) -> None:
    SearchEntry(bookkeeping_bucket(user_id), _BOOKKEEPING_SORT, terms=sorted(terms)).save()


HANDLERS = {
    UserRegistered: index_user,
    UserUpdated: index_user,
    UserDeleted: index_user,
}
