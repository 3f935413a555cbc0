"""POST /api/posts/{post_id}/likes: a toggle, with an exact like_count."""
import pytest

from chalicelib import events
from chalicelib.models import Like, Post
from tests.helpers import create_post, delete, get, post_json, register_and_login


def toggle(client, post_id, token=None):
    return post_json(client, f"/api/posts/{post_id}/likes", token=token)


def like_count(client, post_id):
    return get(client, f"/api/posts/{post_id}").json_body["like_count"]


@pytest.fixture
def post(client):
    _, token = register_and_login(client)
    return create_post(client, token)


def test_like_unlike_and_like_again_keep_the_count_exact(client, post):
    _, token = register_and_login(client)
    first = toggle(client, post["id"], token)
    assert first.status_code == 200
    assert first.json_body == {"liked": True, "like_count": 1}
    assert like_count(client, post["id"]) == 1
    assert toggle(client, post["id"], token).json_body == {"liked": False, "like_count": 0}
    assert like_count(client, post["id"]) == 0
    assert toggle(client, post["id"], token).json_body == {"liked": True, "like_count": 1}
    assert like_count(client, post["id"]) == 1


def test_likes_of_two_users_add_up_and_one_unliking_leaves_the_other(client, post):
    _, alice = register_and_login(client)
    _, bob = register_and_login(client)
    assert toggle(client, post["id"], alice).json_body == {"liked": True, "like_count": 1}
    assert toggle(client, post["id"], bob).json_body == {"liked": True, "like_count": 2}
    assert toggle(client, post["id"], alice).json_body == {"liked": False, "like_count": 1}
    assert like_count(client, post["id"]) == 1
    # Bob's like is still his: his next toggle unlikes rather than likes.
    assert toggle(client, post["id"], bob).json_body == {"liked": False, "like_count": 0}
    assert like_count(client, post["id"]) == 0


def test_the_author_may_like_their_own_post(client):
    _, token = register_and_login(client)
    post = create_post(client, token)
    assert toggle(client, post["id"], token).json_body == {"liked": True, "like_count": 1}


def test_a_like_on_one_post_does_not_touch_another(client, post):
    _, token = register_and_login(client)
    other = create_post(client, token)
    toggle(client, post["id"], token)
    assert like_count(client, other["id"]) == 0
    assert toggle(client, other["id"], token).json_body == {"liked": True, "like_count": 1}


def test_liking_publishes_post_liked_and_unliking_carries_the_same_like_id(client, published):
    author, author_token = register_and_login(client)
    liker, token = register_and_login(client)
    post = create_post(client, author_token)
    toggle(client, post["id"], token)
    toggle(client, post["id"], token)
    toggle(client, post["id"], token)
    liked, unliked, liked_again = [e for e in published if e.type in (events.PostLiked.type, events.PostUnliked.type)]
    assert liked.type == events.PostLiked.type
    assert liked.data == {"post_id": post["id"], "post_author_id": author["id"], "user_id": liker["id"],
                          "like_id": liked.data["like_id"]}
    assert unliked.type == events.PostUnliked.type
    assert unliked.data == liked.data
    assert liked_again.type == events.PostLiked.type
    assert liked_again.data["like_id"] > liked.data["like_id"]
    assert Like.get(post["id"], liker["id"]).like_id == liked_again.data["like_id"]


def test_a_toggle_that_read_a_stale_state_decides_again(client, post, monkeypatch):
    # The like exists, but the first read misses it (as if a concurrent like
    # committed just after): the conditional put fails and the toggle, on a
    # fresh read, unlikes instead of counting a second like.
    liker, token = register_and_login(client)
    toggle(client, post["id"], token)
    real_get = Like.get.__func__
    stale_reads = [True]

    def get_like(cls, *args, **kwargs):
        if stale_reads:
            stale_reads.pop()
            raise Like.DoesNotExist()
        return real_get(cls, *args, **kwargs)

    monkeypatch.setattr(Like, "get", classmethod(get_like))
    assert toggle(client, post["id"], token).json_body == {"liked": False, "like_count": 0}
    assert Post.get(post["id"]).like_count == 0
    assert not stale_reads


@pytest.mark.parametrize("post_id", ["999999", "abc", "0"])
def test_liking_an_unknown_post_is_404(client, post_id):
    _, token = register_and_login(client)
    response = toggle(client, post_id, token)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Post not found"}


def test_liking_a_deleted_post_is_404(client):
    _, token = register_and_login(client)
    post = create_post(client, token)
    delete(client, f"/api/posts/{post['id']}", token)
    response = toggle(client, post["id"], token)
    assert response.status_code == 404
    assert response.json_body == {"detail": "Post not found"}


def test_liking_needs_a_token(client, post):
    response = toggle(client, post["id"])
    assert response.status_code == 401
    assert like_count(client, post["id"]) == 0


def test_a_like_and_an_unlike_reach_the_notification_queue(client, aws, published):
    import boto3

    _, author_token = register_and_login(client)
    _, token = register_and_login(client)
    post = create_post(client, author_token)
    toggle(client, post["id"], token)
    toggle(client, post["id"], token)
    messages = boto3.client("sqs").receive_message(
        QueueUrl=aws.queue_urls["notifications"], MaxNumberOfMessages=10).get("Messages", [])
    # (not the post.created: the post mentions nobody)
    assert sorted(events.Event.from_json(m["Body"]).type for m in messages) == [
        events.PostLiked.type, events.PostUnliked.type]


def test_removing_a_like_takes_it_back_whoever_may_see_the_post_and_a_second_time_is_404(client):
    """For a deleted account's erasure: toggle_like asks that the post be
    visible, and would like again what is no longer liked."""
    from chalicelib.commands import posts
    from chalicelib.errors import NotFound

    _, author_token = register_and_login(client)
    post = create_post(client, author_token)
    fan, token = register_and_login(client)
    toggle(client, post["id"], token)
    assert post_json(client, f"/api/blocks/{fan['id']}", token=author_token).status_code == 200
    assert toggle(client, post["id"], token).status_code == 404  # no longer visible to the fan
    posts.remove_like(fan["id"], post["id"])
    assert like_count(client, post["id"]) == 0
    assert Like.count(post["id"]) == 0
    with pytest.raises(NotFound):
        posts.remove_like(fan["id"], post["id"])
    assert like_count(client, post["id"]) == 0
