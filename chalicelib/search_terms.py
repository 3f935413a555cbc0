"""How users are found: the lower-cased username and each word of the full
name. Shared by the search consumer (indexing) and the search query."""
from __future__ import annotations

import re

_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    return text.strip().lower()


def terms_for(username: str, full_name: str | None) -> set[str]:
    terms = {normalise(username)}
    terms.update(word.lower() for word in _WORD.findall(full_name or ""))
    return terms


def bucket_for(term: str) -> str:
    return f"user#{term[0]}"


def sort_key(term: str, user_id: int) -> str:
    # Zero-padded so that entries of one term sort by id: a total order.
    return f"{term}#{user_id:016d}"


def bookkeeping_bucket(user_id: int) -> str:
    return f"terms#{user_id}"
