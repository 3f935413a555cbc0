"""Photos (CONTRACT.md, "Photos"): upload forms, the uploads consumer, and
media on posts, stories and profiles. Uploads are put in the bucket as the
form would, which fires the bucket's notification into the uploads queue."""
import base64
import io
import json
import threading
from datetime import datetime, timedelta, timezone

import boto3
import pytest
from PIL import Image

from chalicelib import media_files
from chalicelib.commands import posts as post_commands
from chalicelib.config import media_bucket
from chalicelib.errors import Invalid
from chalicelib.models import Media, User
from infra import dead_letters
from tests.helpers import delete, get, get_json, of_types, post_json, put_json


def _jpeg(width=1600, height=1200, **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", **options)
    return out.getvalue()


def _png_bomb() -> bytes:
    """A few KB that say 8000 x 6000 pixels (48 MP)."""
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def _animated() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (64, 64), colour) for colour in ("red", "blue")]
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:])
    return out.getvalue()


def _cmyk() -> bytes:
    out = io.BytesIO()
    Image.new("CMYK", (64, 64), (0, 50, 100, 0)).save(out, "JPEG")
    return out.getvalue()


def _new_media(client, person, size=1000, content_type="image/jpeg"):
    return post_json(client, "/api/media", {"content_type": content_type, "size_bytes": size}, person.token)


def _upload(client, person, data: bytes, declared: int | None = None, content_type="image/jpeg") -> dict:
    """A media whose file was uploaded (not yet processed)."""
    response = _new_media(client, person, declared or len(data), content_type)
    assert response.status_code == 201, response.json_body
    _put(response.json_body, data)
    return response.json_body


def _put(media: dict, data: bytes) -> None:
    boto3.client("s3").put_object(Bucket=media_bucket(), Key=media["upload"]["fields"]["key"], Body=data)


def _processed(client, person, pump, data: bytes, **kwargs) -> dict:
    media = _upload(client, person, data, **kwargs)
    assert pump.drain()
    return get_json(client, f"/api/media/{media['id']}", person.token)


def _ready_id(client, person, pump, **kwargs) -> int:
    media = _processed(client, person, pump, _jpeg(**kwargs))
    assert media["status"] == "ready", media
    return media["id"]


def _object(key: str):
    return boto3.client("s3").get_object(Bucket=media_bucket(), Key=key)


def _key_of(url: str) -> str:
    return media_files.RENDITIONS_PREFIX + url.split(f"/{media_files.RENDITIONS_PREFIX}", 1)[1]


def _head(key: str) -> bool:
    try:
        boto3.client("s3").head_object(Bucket=media_bucket(), Key=key)
        return True
    except boto3.client("s3").exceptions.ClientError:
        return False


def _tag(key: str) -> str:
    tags = boto3.client("s3").get_object_tagging(Bucket=media_bucket(), Key=key)["TagSet"]
    return {tag["Key"]: tag["Value"] for tag in tags}[media_files.CLAIMED_TAG]


def _missing(client, person, media_id) -> bool:
    response = get(client, f"/api/media/{media_id}", person.token)
    return (response.status_code, response.json_body) == (404, {"detail": "Media not found"})


def _landing_after_the_check(monkeypatch, module, then) -> list:
    """Races a command: right after its first check of the media (module's
    usable_media), then() runs, and lands before the command's transaction.
    Returns a list that then holds then()'s response."""
    checked, landed = module.usable_media, []

    def check_then_land(*args):
        media = checked(*args)
        if not landed:
            landed.append(None)  # then() checks too: no second landing
            landed[0] = then()
        return media

    monkeypatch.setattr(module, "usable_media", check_then_land)
    return landed


# --- the upload form -------------------------------------------------------------

def test_a_new_media_is_pending_with_a_form_limited_to_its_type_size_and_15_minutes(client, alice):
    response = _new_media(client, alice, size=12345, content_type="image/png")
    assert response.status_code == 201
    media = response.json_body
    assert {key: media[key] for key in ("status", "reason", "width", "height", "url", "thumbnail_url")} == {
        "status": "pending", "reason": None, "width": None, "height": None, "url": None, "thumbnail_url": None}
    fields = media["upload"]["fields"]
    assert fields["key"] == f"uploads/{media['id']}"
    assert fields["Content-Type"] == "image/png"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1, 12345] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    expires = datetime.fromisoformat(media["upload"]["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(timezone.utc) <= timedelta(minutes=15)
    assert media_bucket() in media["upload"]["url"]


@pytest.mark.parametrize("body, field", [
    ({"content_type": "image/gif", "size_bytes": 10}, "content_type"),
    ({"content_type": "image/jpeg", "size_bytes": 0}, "size_bytes"),
    ({"content_type": "image/jpeg", "size_bytes": 10 * 1024 * 1024 + 1}, "size_bytes"),
    ({"content_type": "image/jpeg"}, "size_bytes"),
])
def test_a_media_of_another_type_or_size_is_a_422(client, alice, body, field):
    response = post_json(client, "/api/media", body, alice.token)
    assert response.status_code == 422
    assert field in response.json_body["detail"]


def test_uploads_are_limited_per_user(client, alice, monkeypatch):
    from chalicelib import config

    monkeypatch.setenv("UPLOADS_PER_USER", "2")
    config.settings.cache_clear()
    try:
        assert [_new_media(client, alice).status_code for _ in range(3)] == [201, 201, 429]
    finally:
        config.settings.cache_clear()


def test_only_its_owner_sees_a_media(client, alice, bob):
    media = _new_media(client, alice).json_body
    assert get_json(client, f"/api/media/{media['id']}", alice.token)["id"] == media["id"]
    assert _missing(client, bob, media["id"])
    assert _missing(client, alice, 123)


# --- processing ---------------------------------------------------------------------

def test_a_photo_becomes_ready_with_two_jpeg_renditions_cached_for_a_year(client, alice, pump, published):
    media = _processed(client, alice, pump, _jpeg(4000, 3000))
    assert (media["status"], media["reason"], media["width"], media["height"]) == ("ready", None, 1080, 810)
    large, thumbnail = _object(_key_of(media["url"])), _object(_key_of(media["thumbnail_url"]))
    for stored in (large, thumbnail):
        assert stored["ContentType"] == "image/jpeg"
        assert stored["CacheControl"] == "public, max-age=31536000, immutable"
    assert Image.open(io.BytesIO(large["Body"].read())).size == (1080, 810)
    assert Image.open(io.BytesIO(thumbnail["Body"].read())).size == (320, 240)
    assert media["url"].startswith("https://") and media["thumbnail_url"].startswith("https://")
    [ready] = of_types(published, ["media.ready"])
    assert ready.payload.media_id == media["id"]


def test_the_original_upload_is_deleted_once_processed(client, alice, pump):
    for data in (_jpeg(), b"not an image"):
        media = _processed(client, alice, pump, data)
        assert not _head(media_files.upload_key(media["id"]))


def test_a_photo_with_orientation_6_and_gps_comes_out_portrait_without_any_exif(client, alice, pump):
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    media = _processed(client, alice, pump, _jpeg(1600, 1200, exif=exif))
    assert (media["width"], media["height"]) == (810, 1080)
    for url in (media["url"], media["thumbnail_url"]):
        image = Image.open(io.BytesIO(_object(_key_of(url))["Body"].read()))
        assert image.height > image.width
        assert not image.getexif() and "exif" not in image.info


def test_a_small_photo_is_never_enlarged(client, alice, pump):
    media = _processed(client, alice, pump, _jpeg(500, 300))
    assert (media["width"], media["height"]) == (500, 300)


@pytest.mark.parametrize("data, reason", [
    (b"\x89PNG garbage declared as an image", "Not a JPEG, PNG or WebP image"),
    (_jpeg()[:2000], "damaged"),
    (_png_bomb(), "megapixels"),
    (_animated(), "Animated"),
    (_cmyk(), "CMYK"),
], ids=["garbage", "truncated-jpeg", "png-bomb", "animated", "cmyk"])
def test_a_hostile_or_unsupported_file_is_rejected_with_a_reason(client, alice, pump, aws, published, data, reason):
    media = _processed(client, alice, pump, data)
    assert media["status"] == "rejected"
    assert reason in media["reason"]
    assert (media["url"], media["thumbnail_url"]) == (None, None)
    assert [event.payload.reason for event in of_types(published, ["media.rejected"])] == [media["reason"]]
    assert not any(dead_letters.counts().values())


def test_the_png_bomb_is_a_few_kilobytes():
    assert len(_png_bomb()) < 200_000


def test_a_file_larger_than_declared_is_rejected(client, alice, pump):
    data = _jpeg()
    media = _processed(client, alice, pump, data, declared=len(data) - 1)
    assert media["status"] == "rejected"
    assert "declared" in media["reason"]


def test_a_second_upload_with_the_same_form_changes_nothing(client, alice, pump, aws):
    media = _upload(client, alice, _jpeg(800, 600))
    pump.drain()
    first = get_json(client, f"/api/media/{media['id']}", alice.token)
    _put(media, _jpeg(300, 200))
    pump.drain()
    assert get_json(client, f"/api/media/{media['id']}", alice.token) == first
    assert Image.open(io.BytesIO(_object(_key_of(first["url"]))["Body"].read())).size == (800, 600)
    assert not _head(media_files.upload_key(media["id"]))
    assert not any(dead_letters.counts().values())


def test_a_redelivered_notification_changes_nothing(client, alice, pump, aws, published):
    media = _upload(client, alice, _jpeg())
    sqs = boto3.client("sqs")
    [message] = sqs.receive_message(QueueUrl=aws.queue_urls["uploads"])["Messages"]
    sqs.change_message_visibility(QueueUrl=aws.queue_urls["uploads"], ReceiptHandle=message["ReceiptHandle"],
                                  VisibilityTimeout=0)
    pump.drain()
    first = get_json(client, f"/api/media/{media['id']}", alice.token)
    sqs.send_message(QueueUrl=aws.queue_urls["uploads"], MessageBody=message["Body"])
    pump.drain()
    assert get_json(client, f"/api/media/{media['id']}", alice.token) == first
    assert len(of_types(published, ["media.ready"])) == 1


def test_the_buckets_test_notification_is_ignored(client, aws, pump):
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=aws.queue_urls["uploads"], MessageBody=json.dumps(
        {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": media_bucket()}))
    assert pump.drain() == 1
    assert not any(dead_letters.counts().values())


# --- using media ---------------------------------------------------------------------

def test_a_post_shows_its_media_in_the_order_given(client, alice, pump):
    first, second = _ready_id(client, alice, pump), _ready_id(client, alice, pump, width=600, height=900)
    response = post_json(client, "/api/posts", {"media_ids": [second, first]}, alice.token)
    assert response.status_code == 201
    post = response.json_body
    assert [item["id"] for item in post["media"]] == [second, first]
    assert set(post["media"][0]) == {"id", "url", "thumbnail_url", "width", "height"}
    assert (post["media"][0]["width"], post["media"][0]["height"]) == (600, 900)
    assert post["image_url"] == post["media"][0]["url"]
    assert get_json(client, f"/api/posts/{post['id']}", alice.token)["media"] == post["media"]


def test_a_post_without_media_has_an_empty_list(client, alice):
    post = post_json(client, "/api/posts", {"content": "words"}, alice.token).json_body
    assert post["media"] == []


def _refused(client, person, media_ids) -> str:
    response = post_json(client, "/api/posts", {"media_ids": media_ids}, person.token)
    assert response.status_code == 422, response.json_body
    assert "media_ids" in response.json_body["detail"]
    return response.json_body["detail"]


def test_media_ids_must_be_mine_ready_unused_distinct_and_at_most_ten(client, alice, bob, pump):
    mine = _ready_id(client, alice, pump)
    _refused(client, bob, [mine])  # someone else's
    _refused(client, alice, [_new_media(client, alice).json_body["id"]])  # pending
    _refused(client, alice, [_processed(client, alice, pump, b"junk")["id"]])  # rejected
    _refused(client, alice, [mine, mine])
    _refused(client, alice, [mine] * 11)
    _refused(client, alice, [])
    _refused(client, alice, [123456])
    assert post_json(client, "/api/posts", {"media_ids": [mine]}, alice.token).status_code == 201
    assert "already used" in _refused(client, alice, [mine])
    story = post_json(client, "/api/stories", {"media_id": mine}, alice.token)
    assert story.status_code == 422 and "media_id" in story.json_body["detail"]


def test_an_unused_media_expires_a_day_after_it_was_made_and_a_used_one_does_not(client, alice, pump):
    media_id = _ready_id(client, alice, pump)
    expires = Media.get(media_id).expires_at
    assert timedelta(hours=23) < expires - datetime.now(timezone.utc) <= timedelta(hours=24)
    post_json(client, "/api/posts", {"media_ids": [media_id]}, alice.token)
    assert Media.get(media_id).expires_at is None


def test_an_expired_media_cannot_be_used_even_before_ttl_removes_it(client, alice, pump):
    media_id = _ready_id(client, alice, pump)
    Media(media_id).update(actions=[Media.expires_at.set(datetime.now(timezone.utc) - timedelta(seconds=1))])
    _refused(client, alice, [media_id])


def test_a_media_claimed_between_the_check_and_the_commit_is_a_422(client, serialised_aws, alice, pump,
                                                                   monkeypatch):
    media_id = _ready_id(client, alice, pump)
    landed = _landing_after_the_check(monkeypatch, post_commands,
                                      lambda: post_json(client, "/api/posts", {"media_ids": [media_id]}, alice.token))
    response = post_json(client, "/api/posts", {"media_ids": [media_id]}, alice.token)
    assert landed[0].status_code == 201
    assert response.status_code == 422 and "already used" in response.json_body["detail"]
    assert Media.get(media_id).used_by == f"post:{landed[0].json_body['id']}"


def test_two_posts_racing_for_one_media_one_wins(client, serialised_aws, alice, pump):
    media_id = _ready_id(client, alice, pump)
    author, start, outcomes = User.get(alice.id), threading.Barrier(2), []

    def race():
        start.wait()
        try:
            outcomes.append(post_commands.create_post(author, None, None, [media_id]).post_id)
        except Invalid as error:
            outcomes.append(error.detail)

    threads = [threading.Thread(target=race) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(winners) == 1
    assert Media.get(media_id).used_by == f"post:{winners[0]}"
    assert get_json(client, f"/api/users/{alice.id}", alice.token)["post_count"] == 1


def test_a_story_shows_its_media(client, alice, pump):
    media_id = _ready_id(client, alice, pump)
    response = post_json(client, "/api/stories", {"media_id": media_id}, alice.token)
    assert response.status_code == 201
    story = response.json_body
    assert story["media"]["id"] == media_id
    assert story["image_url"] == story["media"]["url"]
    # The media ends with the story.
    ends = datetime.fromisoformat(story["created_at"]) + timedelta(hours=24)
    assert abs(Media.get(media_id).expires_at - ends) < timedelta(seconds=1)  # TTL keeps whole seconds


def test_a_profile_photo_is_the_medias_thumbnail_and_replacing_it_deletes_the_old_one(client, alice, pump):
    first = _ready_id(client, alice, pump)
    me = put_json(client, "/api/users/me", {"profile_media_id": first}, alice.token).json_body
    assert me["profile_image_url"] == get_json(client, f"/api/media/{first}", alice.token)["thumbnail_url"]
    thumbnail = _key_of(me["profile_image_url"])
    pump.drain()
    assert _tag(thumbnail) == "yes"
    assert put_json(client, "/api/users/me", {"profile_media_id": first}, alice.token).status_code == 200
    second = _ready_id(client, alice, pump)
    me = put_json(client, "/api/users/me", {"profile_media_id": second}, alice.token).json_body
    assert me["profile_image_url"] == get_json(client, f"/api/media/{second}", alice.token)["thumbnail_url"]
    pump.drain()
    assert _missing(client, alice, first)
    assert not _head(thumbnail)
    put_json(client, "/api/users/me", {"profile_image_url": "https://example.com/me.png"}, alice.token)
    pump.drain()
    assert _missing(client, alice, second)


def test_a_profile_takes_an_image_url_or_a_media_not_both(client, alice, pump):
    media_id = _ready_id(client, alice, pump)
    response = put_json(client, "/api/users/me",
                        {"profile_media_id": media_id, "profile_image_url": "https://example.com/a.png"}, alice.token)
    assert response.status_code == 422


def test_a_posts_files_are_kept_and_unused_files_are_left_to_the_lifecycle_rule(client, alice, pump):
    used, unused = _ready_id(client, alice, pump), _ready_id(client, alice, pump)
    post = post_json(client, "/api/posts", {"media_ids": [used]}, alice.token).json_body
    pump.drain()
    assert _tag(_key_of(post["media"][0]["url"])) == "yes"
    assert _tag(_key_of(get_json(client, f"/api/media/{unused}", alice.token)["url"])) == "no"


def test_deleting_a_post_or_story_deletes_its_media_and_files(client, alice, pump):
    post_media, story_media = _ready_id(client, alice, pump), _ready_id(client, alice, pump)
    post = post_json(client, "/api/posts", {"media_ids": [post_media]}, alice.token).json_body
    story = post_json(client, "/api/stories", {"media_id": story_media}, alice.token).json_body
    pump.drain()
    delete(client, f"/api/posts/{post['id']}", alice.token)
    delete(client, f"/api/stories/{story['id']}", alice.token)
    pump.drain()
    for media_id, item in ((post_media, post["media"][0]), (story_media, story["media"])):
        assert _missing(client, alice, media_id)
        assert not _head(_key_of(item["url"])) and not _head(_key_of(item["thumbnail_url"]))


def test_someone_elses_post_event_deletes_nothing(client, alice, bob, pump):
    """The media consumer deletes only media used by the very item named."""
    media_id = _ready_id(client, alice, pump)
    post_json(client, "/api/posts", {"media_ids": [media_id]}, alice.token)
    other = post_json(client, "/api/posts", {"content": "x"}, bob.token).json_body
    from chalicelib.consumers import media as consumer
    from chalicelib.events import Event, PostDeleted

    consumer.delete_post_media(Event(PostDeleted(post_id=other["id"], author_id=bob.id, hashtags=[],
                                                 media_ids=[media_id])))
    assert Media.get(media_id).used_by.startswith("post:")


def test_a_file_over_10_mib_is_rejected_whatever_was_declared(client, alice, pump):
    media = _processed(client, alice, pump, b"\xff" * (10 * 1024 * 1024 + 1), declared=10 * 1024 * 1024)
    assert (media["status"], media["reason"]) == ("rejected", "Larger than 10 MiB")


def test_two_uploads_with_one_form_handled_at_once_leave_the_files_the_media_describes(client, alice, pump):
    """Two uploads with one form, handled side by side: the second attempt
    read the media while it was pending, and writes its files after the
    first one decided. The decided media's files stay the first's."""
    from chalicelib.consumers import uploads

    media = _upload(client, alice, _jpeg(800, 600))
    read_while_pending = Media.get(media["id"])
    pump.drain()
    second = _jpeg(300, 200)
    _put(media, second)
    uploads._decide(read_while_pending, len(second))
    ready = get_json(client, f"/api/media/{media['id']}", alice.token)
    assert (ready["width"], ready["height"]) == (800, 600)
    assert Image.open(io.BytesIO(_object(_key_of(ready["url"]))["Body"].read())).size == (800, 600)


def test_an_upload_that_fails_every_attempt_is_rejected_on_its_last_not_dead_lettered(client, alice, pump, aws,
                                                                                      monkeypatch):
    from chalicelib import renditions

    attempts = []

    def crash(data):
        attempts.append(True)
        raise RuntimeError("the decoder fell over")

    monkeypatch.setattr(renditions, "renditions_of", crash)
    media = _processed(client, alice, pump, _jpeg())
    assert (media["status"], media["reason"]) == ("rejected", "Could not be processed")
    assert len(attempts) == 4  # the fifth receive rejects without trying
    assert not any(dead_letters.counts().values())
    assert not _head(media_files.upload_key(media["id"]))


def test_an_expired_media_is_not_found_even_before_ttl_removes_it(client, alice, pump):
    media_id = _ready_id(client, alice, pump)
    Media(media_id).update(actions=[Media.expires_at.set(datetime.now(timezone.utc) - timedelta(seconds=1))])
    assert _missing(client, alice, media_id)


def test_a_media_in_its_last_hour_can_no_longer_be_used(client, alice, pump):
    """Its files may go from a day after their upload; a post needs a moment to keep them."""
    media_id = _ready_id(client, alice, pump)
    Media(media_id).update(actions=[Media.expires_at.set(datetime.now(timezone.utc) + timedelta(minutes=30))])
    assert "expired" in _refused(client, alice, [media_id])


def test_a_storys_files_are_kept_until_it_has_ended(client, alice, pump):
    media_id = _ready_id(client, alice, pump)
    story = post_json(client, "/api/stories", {"media_id": media_id}, alice.token).json_body
    pump.drain()
    assert _tag(_key_of(story["media"]["url"])) == "story"


def test_a_story_or_profile_photo_takes_only_my_ready_unused_media(client, alice, bob, pump):
    mine, pending = _ready_id(client, alice, pump), _new_media(client, alice).json_body["id"]
    for media_id in (mine, pending):
        response = post_json(client, "/api/stories", {"media_id": media_id}, bob.token if media_id == mine
                             else alice.token)
        assert response.status_code == 422 and "media_id" in response.json_body["detail"]
        response = put_json(client, "/api/users/me", {"profile_media_id": media_id},
                            bob.token if media_id == mine else alice.token)
        assert response.status_code == 422 and "profile_media_id" in response.json_body["detail"]
    post_json(client, "/api/posts", {"media_ids": [mine]}, alice.token)
    response = put_json(client, "/api/users/me", {"profile_media_id": mine}, alice.token)
    assert response.status_code == 422 and "already used" in response.json_body["detail"]


def test_the_same_profile_photo_set_twice_at_once_is_no_error(client, serialised_aws, alice, pump, monkeypatch):
    from chalicelib.commands import users

    media_id = _ready_id(client, alice, pump)
    same_again = lambda: put_json(client, "/api/users/me", {"profile_media_id": media_id}, alice.token)  # noqa: E731
    landed = _landing_after_the_check(monkeypatch, users, same_again)
    response = same_again()
    assert landed[0].status_code == 200
    assert response.status_code == 200, response.json_body
    assert User.get(alice.id).profile_media_id == media_id
