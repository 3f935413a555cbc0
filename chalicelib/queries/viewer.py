"""Posts as one viewer sees them: liked_by_me and saved_by_me for a whole
page from one BatchGetItem of the viewer's marks (at most 100 keys, a
page's worth), whatever the page's size; nothing at all without a viewer."""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.models import Mark, Post, User
from chalicelib.queries.loading import fetch_many
from chalicelib.queries.paging import Page


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
    marks = fetch_many(Mark, [(viewer.user_id, post.post_id) for post in posts])
    return [seen_with(post, marks.get((viewer.user_id, post.post_id))) for post in posts]


def page_seen_by(viewer: User | None, page: Page[Post]) -> Page[SeenPost]:
    return Page(seen_by(viewer, page.items), page.next_cursor)


def post_seen_by(viewer: User | None, post: Post) -> SeenPost:
    [seen] = seen_by(viewer, [post])
    return seen
