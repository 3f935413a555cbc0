"""The media bucket: uploads land in it, renditions are served from it.

- `uploads/<media_id>`: what a client sent with its upload form. The media
  consumer deletes it once processed; a lifecycle rule deletes what is left
  after a day.
- `media/<media_id>-<token>/large.jpg` and `thumbnail.jpg`: the renditions,
  immutable, cached for a year. They are written tagged `claimed=no`, which
  a lifecycle rule deletes a day later, when their unused media's record
  has expired too. When a post or a profile photo takes the media, the
  media consumer tags its files `claimed=yes`, kept for good; a story's,
  `claimed=story`, deleted two days after they were written, once the
  story (which had to take them within a day) has ended.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import media_base_url, media_bucket

UPLOADS_PREFIX = "uploads/"
RENDITIONS_PREFIX = "media/"
UPLOAD_FORM_SECONDS = 15 * 60
CACHED_FOR_A_YEAR = "public, max-age=31536000, immutable"
CLAIMED_TAG = "claimed"
UNCLAIMED, KEPT, FOR_A_STORY = "no", "yes", "story"
RENDITIONS = ("large", "thumbnail")


def upload_key(media_id: int) -> str:
    return f"{UPLOADS_PREFIX}{media_id}"


def media_id_of_upload(key: str) -> int:
    """ValueError for a key that is not an upload's."""
    if not key.startswith(UPLOADS_PREFIX) or not key[len(UPLOADS_PREFIX):].isdigit():
        raise ValueError(f"not an upload: {key!r}")
    return int(key[len(UPLOADS_PREFIX):])


def rendition_key(media_id: int, token: str, rendition: str) -> str:
    return f"{RENDITIONS_PREFIX}{media_id}-{token}/{rendition}.jpg"


def rendition_url(media_id: int, token: str, rendition: str) -> str:
    return f"{media_base_url()}/{rendition_key(media_id, token, rendition)}"


def upload_form(media_id: int, content_type: str, size_bytes: int) -> dict:
    """An S3 presigned POST for this one upload: only that key, that content
    type, at most that many bytes, for 15 minutes. Signing is local: no call."""
    expires = datetime.now(timezone.utc) + timedelta(seconds=UPLOAD_FORM_SECONDS)
    form = aws.upload_signer().generate_presigned_post(
        Bucket=media_bucket(), Key=upload_key(media_id),
        Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, size_bytes]],
        ExpiresIn=UPLOAD_FORM_SECONDS,
    )
    return {"url": form["url"], "fields": form["fields"], "expires_at": expires.isoformat(timespec="seconds")}


def upload_size(media_id: int) -> int | None:
    """The uploaded file's real size, or None once it is gone."""
    try:
        return aws.client("s3").head_object(Bucket=media_bucket(), Key=upload_key(media_id))["ContentLength"]
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey"):
            return None
        raise


def read_upload(media_id: int) -> bytes:
    return aws.client("s3").get_object(Bucket=media_bucket(), Key=upload_key(media_id))["Body"].read()


def delete_upload(media_id: int) -> None:
    aws.client("s3").delete_object(Bucket=media_bucket(), Key=upload_key(media_id))


def write_rendition(media_id: int, token: str, rendition: str, data: bytes, content_type: str) -> None:
    aws.client("s3").put_object(
        Bucket=media_bucket(), Key=rendition_key(media_id, token, rendition), Body=data,
        ContentType=content_type, CacheControl=CACHED_FOR_A_YEAR, Tagging=f"{CLAIMED_TAG}={UNCLAIMED}",
    )


def claim_renditions(media_id: int, token: str, claimed: str) -> None:
    """Moves the renditions from the lifecycle rule for unclaimed files to
    the one for `claimed` (KEPT: none; FOR_A_STORY)."""
    for rendition in RENDITIONS:
        try:
            aws.client("s3").put_object_tagging(
                Bucket=media_bucket(), Key=rendition_key(media_id, token, rendition),
                Tagging={"TagSet": [{"Key": CLAIMED_TAG, "Value": claimed}]},
            )
        except ClientError as error:
            # Deleted meanwhile (the post went first): nothing left to keep.
            if error.response["Error"]["Code"] != "NoSuchKey":
                raise


def delete_renditions(media: list[tuple[int, str]]) -> None:
    """Deletes the renditions of each (media_id, token), in one call for up
    to 500 media; deleting what is already gone is no error."""
    keys = [{"Key": rendition_key(media_id, token, rendition)}
            for media_id, token in media for rendition in RENDITIONS]
    for start in range(0, len(keys), 1000):
        response = aws.client("s3").delete_objects(Bucket=media_bucket(),
                                                   Delete={"Objects": keys[start:start + 1000], "Quiet": True})
        if response.get("Errors"):
            raise RuntimeError(f"could not delete renditions: {response['Errors'][:3]}")


EXPORTS_PREFIX = "exports/"


def rendition_key_of_url(url: str) -> str:
    """The key of a rendition from its URL (MediaItem keeps URLs, not keys)."""
    return RENDITIONS_PREFIX + "/".join(url.rsplit("/", 2)[-2:])


def read_file(key: str) -> bytes:
    return aws.client("s3").get_object(Bucket=media_bucket(), Key=key)["Body"].read()


def write_export(key: str, data: bytes) -> None:
    aws.client("s3").put_object(Bucket=media_bucket(), Key=key, Body=data, ContentType="application/zip")


def delete_exports(keys: list[str]) -> None:
    """Deletes these archives, in one call for up to 1,000; deleting what is
    already gone is no error."""
    for start in range(0, len(keys), 1000):
        objects = [{"Key": key} for key in keys[start:start + 1000]]
        response = aws.client("s3").delete_objects(Bucket=media_bucket(), Delete={"Objects": objects, "Quiet": True})
        if response.get("Errors"):
            raise RuntimeError(f"could not delete exports: {response['Errors'][:3]}")


def export_url(key: str, seconds: int) -> str:
    """A GET of the archive that needs no credentials for `seconds`. Signing
    is local (no call), with the client that signs upload forms, so that
    locally it leads to the embedded AWS."""
    return aws.upload_signer().generate_presigned_url(
        "get_object", Params={"Bucket": media_bucket(), "Key": key}, ExpiresIn=max(1, seconds))
