"""Stories: visible for 24 hours after creation. DynamoDB's TTL deletes them
some time later, so every read bounds story ids from below (ids carry their
creation time) and never shows an expired story."""
from __future__ import annotations

from chalicelib.models import Story, StoryFeedEntry
from chalicelib.models.stories import oldest_active_id
from chalicelib.queries.access import in_order_by_accounts
from chalicelib.queries.paging import Page, PageRequest, query_page


def my_stories(user_id: int, page: PageRequest) -> Page[Story]:
    """user_id's active stories, newest first: one Query."""
    return query_page(
        lambda **kwargs: Story.by_author.query(
            user_id, Story.story_id >= oldest_active_id(), scan_index_forward=False, **kwargs),
        page,
        scope=f"stories:{user_id}",
        key_attributes=(Story.story_id, Story.author_id),
    )


def story_feed(user_id: int, page: PageRequest) -> Page[Story]:
    """Active stories of user_id and of whom they follow, newest first: one
    Query on the story feed, one BatchGetItem for the stories and their
    authors."""
    entries = query_page(
        lambda **kwargs: StoryFeedEntry.query(
            user_id, StoryFeedEntry.item_id >= oldest_active_id(), scan_index_forward=False, **kwargs),
        page,
        scope=f"story-feed:{user_id}",
        key_attributes=(StoryFeedEntry.owner_id, StoryFeedEntry.item_id),
    )
    # A deleted story may outlive its entries for a moment: skipped; so is a
    # story of a deleted account, whose author is read with it.
    return Page(in_order_by_accounts(Story, [(entry.item_id, entry.author_id) for entry in entries.items], user_id),
                entries.next_cursor)
