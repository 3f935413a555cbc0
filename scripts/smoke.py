"""`make smoke BASE_URL=...`: a short journey over HTTP against any running
stage (make run, or a deployed one: https://<api>.execute-api.<region>.amazonaws.com/v1).

Two new users (random names) register and log in; one uploads a photo
with the upload form and posts it once it is ready, the other follows,
finds the post in their feed, likes it and saves it; the photo's URLs
answer without credentials; the author is notified of the follow and the
like. Where the stage shows its mail (GET /local/mail: make run), the
author verifies the address with the link of the registration mail and the
reader resets the password with the link of a reset mail, and the author
exports the account's data and fetches the archive; elsewhere only the
reset request is made. Then it cleans up: the post (and so its photo) is
deleted, the follow undone, and both accounts deleted (a wrong password
first: 403), after which their tokens are 401 and the author's username is
registered again at once (and that account deleted too).
What the consumers do is waited for, up to SMOKE_WAIT_SECONDS (default 30).
Prints each step; exits 1 at the first one that fails.
"""
from __future__ import annotations

import http.client
import io
import os
import re
import secrets
import sys
import time
import urllib.request

from api_client import Client, UnexpectedAnswer, upload
from PIL import Image

PASSWORD = "correct horse battery"


class SmokeFailed(Exception):
    pass


class Api(Client):
    """The API, and a way to wait for what its consumers do."""

    def eventually(self, path: str, token: str, check, what: str):
        deadline = time.monotonic() + int(os.environ.get("SMOKE_WAIT_SECONDS", "30"))
        while True:
            found = self.call("GET", path, token=token)
            if check(found):
                return found
            if time.monotonic() > deadline:
                raise SmokeFailed(f"{what}: not there after waiting (GET {path} answered {found!r:.300})")
            time.sleep(0.2)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (40, 110, 180)).save(out, "JPEG")
    return out.getvalue()


def step(what: str) -> None:
    print(f"  {what}", flush=True)


def journey(api: Api) -> None:
    tag = secrets.token_hex(4)
    people = {}
    for role in ("author", "reader"):
        username = f"smoke_{role}_{tag}"
        email = f"{username}@example.com"
        user = api.call("POST", "/api/auth/register",
                        {"username": username, "email": email, "password": PASSWORD}, expect=201)
        token = api.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})["access_token"]
        people[role] = (user, token)
    (author, author_token), (reader, reader_token) = people["author"], people["reader"]
    step(f"registered and logged in {author['username']} and {reader['username']}")
    assert api.call("GET", "/api/auth/me", token=reader_token)["id"] == reader["id"]
    reader_token, reader_password = accounts(api, author, author_token, reader)

    photo = _photo()
    media = api.call("POST", "/api/media", {"content_type": "image/jpeg", "size_bytes": len(photo)}, author_token,
                     expect=201)
    upload(media["upload"], photo, "image/jpeg")
    media = api.eventually(f"/api/media/{media['id']}", author_token, lambda found: found["status"] != "pending",
                           "the photo processed")
    if media["status"] != "ready":
        raise SmokeFailed(f"the photo was not accepted: {media}")
    step(f"uploaded a photo with its form; it is ready, {media['width']} x {media['height']}")

    api.call("POST", f"/api/follow/{author['id']}", token=reader_token)
    post = api.call("POST", "/api/posts", {"content": f"smoke test #smoke{tag}", "media_ids": [media["id"]]},
                    author_token, expect=201)
    step(f"{reader['username']} follows {author['username']}, who posted {post['id']} with the photo")
    try:
        api.eventually("/api/feed", reader_token, lambda feed: any(p["id"] == post["id"] for p in feed),
                       "the post in the follower's feed")
        step("the post reached the follower's feed")
        assert api.call("POST", f"/api/posts/{post['id']}/likes", token=reader_token)["liked"] is True
        assert api.call("POST", f"/api/posts/{post['id']}/save", token=reader_token) == {"saved": True}
        [seen] = [p for p in api.call("GET", "/api/feed", token=reader_token) if p["id"] == post["id"]]
        if not (seen["liked_by_me"] and seen["saved_by_me"]):
            raise SmokeFailed(f"the feed does not show the like and the save: {seen}")
        step("liked and saved it; the feed says so")
        for url in (media["url"], media["thumbnail_url"]):
            with urllib.request.urlopen(url, timeout=30) as response:  # no credentials
                if response.headers["Content-Type"] != "image/jpeg":
                    raise SmokeFailed(f"{url}: {response.headers['Content-Type']}")
        step("both renditions answer without credentials")
        api.eventually("/api/notifications", author_token,
                       lambda items: {"follow", "like"} <= {item["type"] for item in items},
                       "the follow and like notifications")
        step("the author was notified of the follow and the like")
    finally:
        api.call("DELETE", f"/api/posts/{post['id']}", token=author_token, expect=204)
        api.call("DELETE", f"/api/follow/{author['id']}", token=reader_token)
        step("cleaned up: post deleted, follow undone")
    delete_accounts(api, [author, reader], [author_token, reader_token], [PASSWORD, reader_password], tag)


def delete_accounts(api: Api, users: list[dict], tokens: list[str], passwords: list[str], tag: str) -> None:
    """Both accounts are deleted: each token is 401 at once and the username
    free; registering it again (and deleting that account too) shows it."""
    for user, token, password in zip(users, tokens, passwords):
        api.call("DELETE", "/api/users/me", {"password": "not the password"}, token, expect=403)
        api.call("DELETE", "/api/users/me", {"password": password}, token, expect=204)
        api.call("GET", "/api/auth/me", token=token, expect=401)
        api.call("GET", f"/api/users/{user['id']}", expect=404)
    step("deleted both accounts: a wrong password is 403; then their tokens are 401, their profiles 404")
    username = users[0]["username"]
    email = f"again_{tag}@example.com"
    again = api.call("POST", "/api/auth/register", {"username": username, "email": email, "password": PASSWORD},
                     expect=201)
    token = api.call("POST", "/api/auth/login", {"email": email, "password": PASSWORD})["access_token"]
    api.call("DELETE", "/api/users/me", {"password": PASSWORD}, token, expect=204)
    step(f"the username {username} was free at once: registered again (as {again['id']}) and deleted")


def mailed_token(api: Api, to: str, subject: str) -> str:
    """The token of the newest mail with this subject to `to` (GET /local/mail)."""
    mails = api.eventually(f"/local/mail?to={to}", "", lambda found: any(m["subject"] == subject for m in found),
                           f"the mail '{subject}'")
    text = next(m["text"] for m in mails if m["subject"] == subject)
    return re.search(r"token=([A-Za-z0-9_-]+)", text).group(1)


def accounts(api: Api, author: dict, author_token: str, reader: dict) -> tuple[str, str]:
    """Email verification and password reset; the reader's token and password afterwards."""
    api.call("POST", "/api/auth/password-reset", {"email": reader["email"]}, expect=202)
    if api.request("GET", "/local/mail?to=nobody@example.com").status != 200:
        step("asked for a password reset (this stage shows no mail: links not followed)")
        token = api.call("POST", "/api/auth/login", {"email": reader["email"], "password": PASSWORD})["access_token"]
        return token, PASSWORD
    token = mailed_token(api, author["email"], "Confirm your email address")
    api.call("POST", "/api/auth/verify-email", {"token": token})
    if api.call("GET", "/api/auth/me", token=author_token)["email_verified"] is not True:
        raise SmokeFailed("the verification link did not verify the address")
    step("the author verified the address with the link of the registration mail")
    token = mailed_token(api, reader["email"], "Reset your password")
    new_password = PASSWORD + " again"
    api.call("POST", "/api/auth/password-reset/confirm", {"token": token, "new_password": new_password})
    api.call("POST", "/api/auth/login", {"email": reader["email"], "password": PASSWORD}, expect=401)
    step("the reader reset the password with the link of the reset mail")
    api.call("POST", "/api/users/me/export", token=author_token, expect=202)
    export = api.eventually("/api/users/me/export", author_token, lambda found: found["status"] != "pending",
                            "the data export")
    with urllib.request.urlopen(export["url"], timeout=30) as response:  # no credentials
        if not response.read(2) == b"PK":
            raise SmokeFailed("the export's link does not answer a ZIP archive")
    step("the author exported the account's data; its link answers the archive")
    token = api.call("POST", "/api/auth/login", {"email": reader["email"], "password": new_password})["access_token"]
    return token, new_password


def main() -> int:
    base_url = os.environ.get("BASE_URL")
    if not base_url:
        print("make smoke needs BASE_URL=<the API's URL>", file=sys.stderr)
        return 2
    print(f"smoke: {base_url}")
    try:
        journey(Api(base_url.rstrip("/")))
    except (SmokeFailed, UnexpectedAnswer, AssertionError, OSError, http.client.HTTPException) as error:
        print(f"smoke FAILED: {error!r}", file=sys.stderr)
        return 1
    print("smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
