"""Posts as one viewer sees them: liked_by_me and saved_by_me for a whole
page from one Query of the viewer's marks between the page's lowest and
highest post id, whatever the page's size; nothing at all without a viewer.

A Query is billed by the bytes it returns, a BatchGetItem by the keys it
asks for: a page of 20 posts of which the viewer liked two costs half a
read unit instead of ten. Only when the viewer marked more than
MARKS_PER_QUERY posts in that id range (a page that spans much time for
someone who likes everything) does a BatchGetItem of the page's own keys
follow: at most two round trips."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.models import Mark, Post, User
from chalicelib.queries.loading import fetch_many
from chalicelib.queries.paging import Page

MARKS_PER_QUERY = 100


@dataclass(frozen=True)
class SeenPost:
    """A post with its viewer's flags; reads as the post otherwise."""

    post: Post
    liked_by_me: bool
    saved_by_me: bool

    def __getattr__(self, name: str):
        return getattr(self.post, name)


def seen_with(post: Post, mark: Mark | None) -> SeenPost:
    """The post with the flags its viewer's mark gives (no mark: neither)."""
    return SeenPost(post, mark is not None and mark.like_id is not None, mark is not None and mark.saved_id is not None)


def seen_by(viewer: User | None, posts: list[Post]) -> list[SeenPost]:
    if viewer is None:
        return [seen_with(post, None) for post in posts]
    marks = _marks_of(viewer.user_id, [post.post_id for post in posts])
    return [seen_with(post, marks.get(post.post_id)) for post in posts]


def _marks_of(user_id: int, post_ids: list[int]) -> dict[int, Mark]:
    if not post_ids:
        return {}
    in_range = Mark.query(user_id, Mark.post_id.between(min(post_ids), max(post_ids)),
                          limit=MARKS_PER_QUERY, page_size=MARKS_PER_QUERY)
    marks = {mark.post_id: mark for mark in in_range}
    if in_range.last_evaluated_key is not None:
        return {post_id: mark for (_, post_id), mark in fetch_many(Mark, [(user_id, p) for p in post_ids]).items()}
    return marks


def page_seen_by(viewer: User | None, page: Page[Post]) -> Page[SeenPost]:
    return Page(seen_by(viewer, page.items), page.next_cursor)


def post_seen_by(viewer: User | None, post: Post) -> SeenPost:
    [seen] = seen_by(viewer, [post])
    return seen
