"""The photo path of the README over HTTP, against `make run`: create a
media, upload the file with its form, poll until ready, post it, then GET
both renditions without credentials."""
import io
import urllib.request
import uuid

import pytest
from PIL import Image

from tests.e2e.test_user_journey import eventually, sign_up

pytestmark = pytest.mark.e2e


def _photo() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the camera turned: shown portrait
    exif[0x8825] = {1: "N", 2: (52.0, 22.0, 0.0), 3: "E", 4: (4.0, 53.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (2000, 1500), (30, 120, 200)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def _form_post(url: str, fields: dict, data: bytes, content_type: str) -> int:
    """What a browser's multipart/form-data POST of the upload form sends."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.jpg"\r\n'
             f"Content-Type: {content_type}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_a_photo_goes_from_upload_form_to_a_post_that_anyone_can_see(local_stack):
    http = local_stack
    _, token = sign_up(http, "photographer")
    photo = _photo()
    status, media = http.post("/api/media", {"content_type": "image/jpeg", "size_bytes": len(photo)}, token)
    assert status == 201, media
    assert _form_post(media["upload"]["url"], media["upload"]["fields"], photo, "image/jpeg") == 204
    ready = eventually(http, f"/api/media/{media['id']}", token, lambda body: body["status"] != "pending")
    assert (ready["status"], ready["width"], ready["height"]) == ("ready", 810, 1080)
    status, post = http.post("/api/posts", {"content": "First light", "media_ids": [media["id"]]}, token)
    assert status == 201, post
    assert post["image_url"] == ready["url"]
    for url, longest in ((ready["url"], 1080), (ready["thumbnail_url"], 320)):
        with urllib.request.urlopen(url, timeout=30) as response:  # no credentials
            assert response.status == 200
            assert response.headers["Content-Type"] == "image/jpeg"
            assert "max-age=31536000" in response.headers["Cache-Control"]
            image = Image.open(io.BytesIO(response.read()))
        assert max(image.size) == longest and image.height > image.width
        assert not image.getexif()
