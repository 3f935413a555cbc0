"""Each endpoint costs the same number of DynamoDB round trips whether the
data behind it is small or large (docs/data-model.md). The data is seeded
directly with the models; what is measured is the request alone."""
import pytest

from chalicelib.ids import new_id
from chalicelib.models import (
    Block,
    Comment,
    Conversation,
    FeedEntry,
    Follow,
    FollowRequest,
    Message,
    Post,
    User,
    conversation_key,
)
from chalicelib.models.messages import LastMessage
from tests.helpers import (
    NOW,
    add_comment,
    counting_dynamodb_calls,
    create_post,
    create_story,
    follow,
    get,
    post_json,
    ready_media,
    register_and_login,
    seed_notifications,
    toggle_like,
)


def calls_for(client, path: str, token: str | None = None) -> list[str]:
    with counting_dynamodb_calls() as calls:
        response = get(client, path, token)
    assert response.status_code == 200, response.json_body
    return calls


def save_all(items) -> None:
    by_model = {}
    for item in items:
        by_model.setdefault(type(item), []).append(item)
    for model, model_items in by_model.items():
        with model.batch_write() as batch:
            for item in model_items:
                batch.save(item)


def make_users(count: int) -> list[User]:
    users = [User(user_id=new_id(), username=f"u{new_id()}", email=f"{new_id()}@example.com",
                  password_hash="x", created_at=NOW) for _ in range(count)]
    save_all(users)
    return users


def make_post(author: User) -> Post:
    return Post(post_id=new_id(), author_id=author.user_id, author_username=author.username,
                content="hello", created_at=NOW)


SIZES = (5, 500)


def seed_feed(viewer_id: int, size: int) -> None:
    authors = make_users(size)
    posts = [make_post(author) for author in authors]
    save_all(posts)
    save_all([Follow(viewer_id, a.user_id, follow_id=new_id()) for a in authors])
    save_all([FeedEntry.entry(viewer_id, p.post_id, p.author_id) for p in posts])


def seed_followers(user_id: int, size: int) -> None:
    save_all([Follow(f.user_id, user_id, follow_id=new_id()) for f in make_users(size)])


def seed_comments(post: Post, size: int) -> None:
    save_all([Comment(comment_id=new_id(), post_id=post.post_id, author_id=post.author_id,
                      author_username=post.author_username, content="nice", created_at=NOW)
              for _ in range(size)])


def seed_conversations(viewer_id: int, size: int) -> None:
    items = []
    for other in make_users(size):
        message = Message(conversation_key(viewer_id, other.user_id), new_id(), sender_id=other.user_id,
                          receiver_id=viewer_id, content="hi", created_at=NOW)
        last = LastMessage(message_id=message.message_id, sender_id=message.sender_id,
                           receiver_id=message.receiver_id, content=message.content, created_at=NOW)
        items += [message, Conversation(viewer_id, other.user_id, last_message_id=message.message_id,
                                        last_message=last)]
    save_all(items)


@pytest.fixture
def viewers(client):
    """One registered user per size, each with a token."""
    return {size: register_and_login(client) for size in SIZES}


def test_a_feed_page_costs_the_same_for_5_or_500_followed_accounts(client, viewers):
    counts = {}
    for size, (user, token) in viewers.items():
        seed_feed(user["id"], size)
        counts[size] = calls_for(client, "/api/feed", token)
    assert counts[5] == counts[500]
    assert len(counts[500]) <= 5  # token, large follows, timeline, posts, the viewer's marks


def test_a_profile_costs_the_same_for_5_or_500_followers(client, viewers):
    counts = {}
    for size, (user, _) in viewers.items():
        seed_followers(user["id"], size)
        counts[size] = calls_for(client, f"/api/users/{user['id']}")
    assert counts[5] == counts[500] == ["GetItem"]


def test_followers_cost_the_same_for_5_or_500_followers(client, viewers):
    counts = {}
    for size, (user, _) in viewers.items():
        seed_followers(user["id"], size)
        counts[size] = calls_for(client, f"/api/users/{user['id']}/followers")
    assert counts[5] == counts[500]


def test_a_post_and_its_comments_cost_the_same_for_5_or_500_comments(client, viewers):
    post_counts, comment_counts = {}, {}
    for size, (user, _) in viewers.items():
        author = User.get(user["id"])
        post = make_post(author)
        post.save()
        seed_comments(post, size)
        post_counts[size] = calls_for(client, f"/api/posts/{post.post_id}")
        comment_counts[size] = calls_for(client, f"/api/posts/{post.post_id}/comments")
    assert post_counts[5] == post_counts[500] == ["GetItem", "GetItem"]  # the post, its author's privacy
    assert comment_counts[5] == comment_counts[500]


def test_the_conversation_list_costs_the_same_for_5_or_500_conversations(client, viewers):
    counts = {}
    for size, (user, token) in viewers.items():
        seed_conversations(user["id"], size)
        counts[size] = calls_for(client, "/api/messages", token)
    assert counts[5] == counts[500]


def test_the_notification_list_costs_the_same_for_5_or_500_notifications(client, viewers):
    counts = {}
    for size, (user, token) in viewers.items():
        seed_notifications(user["id"], size)
        counts[size] = calls_for(client, "/api/notifications", token)
    assert counts[5] == counts[500]


def test_no_request_path_or_consumer_scans():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    sources = [root / "app.py", *sorted((root / "chalicelib").rglob("*.py"))]
    offenders = [str(path) for path in sources if "scan(" in path.read_text()]
    assert offenders == []


def test_follow_requests_cost_the_same_for_5_or_500_pending(client, viewers):
    counts = {}
    for size, (user, token) in viewers.items():
        save_all([FollowRequest(user["id"], requester.user_id, request_id=new_id()) for requester in make_users(size)])
        counts[size] = calls_for(client, "/api/follow/requests", token)
    # token, one Query of the requests' index, one BatchGetItem of the requesters
    assert counts[5] == counts[500] == ["GetItem", "Query", "BatchGetItem"]


def test_a_private_accounts_posts_and_followers_cost_the_same_for_5_or_500(client, viewers):
    """What a private account adds is one GetItem: the viewer's follow."""
    follower = register_and_login(client)
    post_counts, follower_counts = {}, {}
    for size, (user, _) in viewers.items():
        owner = User.get(user["id"])
        owner.update(actions=[User.is_private.set(True)])
        save_all([make_post(owner) for _ in range(size)])
        seed_followers(owner.user_id, size)
        Follow(follower.id, owner.user_id, follow_id=new_id()).save()
        post_counts[size] = calls_for(client, f"/api/users/{owner.user_id}/posts", follower.token)
        follower_counts[size] = calls_for(client, f"/api/users/{owner.user_id}/followers", follower.token)
    # token, the owner, the viewer's block item for them, the follow, the posts' Query, the viewer's marks
    assert post_counts[5] == post_counts[500] == ["GetItem", "GetItem", "GetItem", "GetItem", "Query", "Query"]
    # ... and for followers, the users and the viewer's block items for them
    assert follower_counts[5] == follower_counts[500] == ["GetItem", "GetItem", "GetItem", "GetItem", "Query",
                                                          "BatchGetItem", "BatchGetItem"]


def test_the_block_list_costs_the_same_for_5_or_500_blocked(client, viewers):
    counts = {}
    for size, (user, token) in viewers.items():
        save_all([Block(user["id"], other.user_id, block_id=new_id()) for other in make_users(size)])
        counts[size] = calls_for(client, "/api/blocks", token)
    assert counts[5] == counts[500] == ["GetItem", "Query", "BatchGetItem"]


def test_lists_shown_to_a_viewer_filter_blocks_with_one_read_for_5_or_500(client, viewers):
    """Followers seen by someone: the page's users and the viewer's block
    items for them are one BatchGetItem each, however many follow."""
    viewer = register_and_login(client)
    counts = {}
    for size, (user, _) in viewers.items():
        seed_followers(user["id"], size)
        counts[size] = calls_for(client, f"/api/users/{user['id']}/followers", viewer.token)
    # token, the owner, the viewer's block item for the owner, Query, the users, their block items
    assert counts[5] == counts[500] == ["GetItem", "GetItem", "GetItem", "Query", "BatchGetItem", "BatchGetItem"]


def test_a_post_with_1_or_10_photos_costs_the_same(client, alice):
    counts = {}
    for count in (1, 10):
        media_ids = ready_media(alice.id, count)
        with counting_dynamodb_calls() as calls:
            response = post_json(client, "/api/posts", {"media_ids": media_ids}, alice.token)
        assert response.status_code == 201, response.json_body
        counts[count] = calls
    # token, write limit, the media, the transaction, the outbox entry's deletion
    assert counts[1] == counts[10] == ["GetItem", "UpdateItem", "BatchGetItem", "TransactWriteItems", "DeleteItem"]


def test_a_media_costs_one_read(client, alice):
    [media_id] = ready_media(alice.id, 1)
    assert calls_for(client, f"/api/media/{media_id}", alice.token) == ["GetItem", "GetItem"]  # token, media


def test_a_deleted_accounts_read_time_checks_ride_on_reads_the_pages_already_make(client, pump, alice, bob):
    """The authors (docs/accounts.md, "Account deletion") are read in the
    BatchGetItem of the page's items or of the viewer's block items; only
    an anonymous page of comments or replies, which had no BatchGetItem,
    gains one."""
    follow(client, alice.token, bob.id)
    post_id = create_post(client, bob.token, "x")["id"]
    comment_id = add_comment(client, bob.token, post_id)["id"]
    reply = post_json(client, f"/api/posts/{post_id}/comments", {"content": "r", "parent_id": comment_id}, bob.token)
    assert reply.status_code == 201
    create_story(client, bob.token, content="s")
    toggle_like(client, bob.token, create_post(client, alice.token, "mine")["id"])
    assert post_json(client, "/api/messages", {"receiver_id": alice.id, "content": "hi"}, bob.token).status_code == 201
    pump.drain()
    # token, large follows, timeline, posts and their authors, the viewer's marks
    assert calls_for(client, "/api/feed", alice.token) == ["GetItem", "Query", "Query", "BatchGetItem", "Query"]
    # token, story feed, stories and their authors
    assert calls_for(client, "/api/stories/feed", alice.token) == ["GetItem", "Query", "BatchGetItem"]
    # token, notifications, the actors' block items and the actors
    assert calls_for(client, "/api/notifications", alice.token) == ["GetItem", "Query", "BatchGetItem"]
    # token, conversations, the read marks and the other users
    assert calls_for(client, "/api/messages", alice.token) == ["GetItem", "Query", "BatchGetItem"]
    # the post, its author, the comments, their authors (and with a token, in the same request, the block items)
    assert calls_for(client, f"/api/posts/{post_id}/comments") == ["GetItem", "GetItem", "Query", "BatchGetItem"]
    assert calls_for(client, f"/api/posts/{post_id}/comments", alice.token) == [
        "GetItem", "GetItem", "GetItem", "GetItem", "Query", "BatchGetItem"]
    # the comment, its post, the post's author, the replies, their authors and the comment's
    assert calls_for(client, f"/api/posts/comments/{comment_id}/replies") == [
        "GetItem", "GetItem", "GetItem", "Query", "BatchGetItem"]


def test_reading_two_tables_together_is_one_request_per_hundred_keys(aws):
    from chalicelib.queries.loading import fetch_together

    users = make_users(60)
    posts = [make_post(user) for user in users]
    save_all(posts)
    with counting_dynamodb_calls() as calls:
        found_posts, found_users = fetch_together((Post, [post.post_id for post in posts] + [1]),
                                                  (User, [user.user_id for user in users]))
    assert calls == ["BatchGetItem", "BatchGetItem"]  # 121 keys
    assert set(found_posts) == {post.post_id for post in posts}
    assert {user_id: user.username for user_id, user in found_users.items()} == {u.user_id: u.username for u in users}
