"""What people do with the web app, in a real browser, against `make run`.
Each test asserts what the page shows."""
import re
import time

import jwt
from playwright.sync_api import expect

from chalicelib import security
from tests.browser.conftest import PHONE, jpeg


def test_two_people_share_follow_like_comment_reply_and_the_author_is_notified(people, tmp_path):
    ann, bob = people("ann", "bob")
    ann.sign_up("Ann Lee")
    bob.sign_up("Bob Stone")

    # Ann posts two photos with a #tag and an @mention.
    page = ann.open("/new")
    page.get_by_label("Caption").fill(f"Golden hour #sunset with @{bob.name}")
    page.locator("#photo-picker").set_input_files([jpeg(tmp_path / "one.jpg", (230, 120, 60)),
                                                   jpeg(tmp_path / "two.jpg", (60, 110, 200), (600, 800))])
    expect(page.locator(".upload[data-state=ready]")).to_have_count(2, timeout=30_000)
    expect(page.get_by_role("status").filter(has_text="2 photos ready")).to_be_visible()
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page).to_have_url(re.compile(r"#/p/\d+$"))
    post_path = page.url.split("#")[1]
    post = page.get_by_role("article", name=f"Post by {ann.name}")
    expect(post.get_by_role("img", name=re.compile("Photo 1 of 2"))).to_be_visible()
    expect(post.get_by_text("1/2")).to_be_visible()
    post.get_by_role("button", name="Next photo").click()
    expect(post.get_by_text("2/2")).to_be_visible()
    expect(post.get_by_role("link", name="#sunset")).to_have_attribute("href", "#/tags/sunset")
    expect(post.get_by_role("link", name=f"@{bob.name}")).to_be_visible()

    # Bob finds Ann by search and follows her.
    page = bob.open("/search")
    page.get_by_label("Search users and hashtags").fill(ann.name[:5])
    page.get_by_role("link", name=re.compile(ann.name)).click()
    expect(page.get_by_role("heading", name=ann.name)).to_be_visible()
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()

    # The post reaches Bob's feed; he likes it with the heart.
    card = bob.eventually("/", lambda p: p.get_by_role("article", name=f"Post by {ann.name}"))
    card.get_by_role("button", name="Like").click()
    expect(card.get_by_text("1 like", exact=True)).to_be_visible()
    expect(card.get_by_role("button", name="Unlike")).to_have_attribute("aria-pressed", "true")
    bob.screenshot("feed-desktop")

    # He comments on the post; Ann replies to his comment.
    page = bob.open(post_path)
    page.get_by_label("Add a comment").fill("What a light!")
    page.get_by_role("button", name="Post", exact=True).click()
    comment = page.locator(".comment").filter(has_text="What a light!")
    expect(comment).to_be_visible()
    expect(comment.get_by_role("link", name=bob.name)).to_be_visible()

    page = ann.open(post_path)
    comment = page.locator(".comment").filter(has_text="What a light!")
    comment.get_by_role("button", name="Reply").click()
    expect(page.get_by_text(f"Replying to @{bob.name}")).to_be_visible()
    page.get_by_label("Add a comment").press_sequentially("thank you!")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(comment.locator(".replies").get_by_text("thank you!")).to_be_visible()
    ann.screenshot("post-desktop")

    page = bob.open(post_path)
    page.get_by_role("button", name=re.compile(r"View replies \(1\)")).click()
    expect(page.locator(".replies").get_by_text("thank you!")).to_be_visible()

    # Ann sees who liked, commented and followed, with the unread count.
    notifications = ann.eventually("/notifications", lambda p: p.get_by_text(f"{bob.name} commented on your post"))
    page = ann.page
    expect(page.get_by_text(f"{bob.name} liked your post")).to_be_visible()
    expect(page.get_by_text(f"{bob.name} started following you")).to_be_visible()
    expect(page.locator(".topnav [data-badge]")).to_have_text(re.compile(r"^[1-9]"))
    page.get_by_role("button", name="Mark all as read").click()
    expect(page.locator(".topnav [data-badge]")).to_be_hidden()
    notifications.first.click()
    expect(page).to_have_url(re.compile(re.escape(post_path) + "$"))

    # Ann's profile: counts and the grid; then the same screens on a phone.
    page = ann.open(f"/u/{ann.id}")
    expect(page.locator(".stats")).to_contain_text("1 post")
    expect(page.locator(".stats")).to_contain_text("1 follower")
    expect(page.locator(".grid .tile")).to_have_count(1)
    ann.screenshot("profile-desktop")
    for person, path, name in ((bob, "/", "feed"), (ann, f"/u/{ann.id}", "profile"), (ann, post_path, "post")):
        person.page.set_viewport_size(PHONE)
        person.open(path)
        person.page.locator(".post-card img, .grid img").first.wait_for()
        expect(person.page.locator(".bottomnav")).to_be_visible()
        person.screenshot(f"{name}-phone")


def test_a_private_accounts_follow_request_is_approved_from_the_page(people):
    cleo, dan = people("cleo", "dan")
    cleo.registered()
    dan.registered()
    page = cleo.open("/edit")
    page.get_by_label(re.compile("Private account")).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("img", name="Private account")).to_be_visible()

    page = dan.open(f"/u/{cleo.id}")
    expect(page.get_by_text("This account is private")).to_be_visible()
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Requested")).to_be_visible()

    cleo.eventually("/notifications", lambda p: p.get_by_text(f"{dan.name} requested to follow you")).first.click()
    page = cleo.page
    expect(page.get_by_role("heading", name="Follow requests")).to_be_visible()
    row = page.locator(".user-row").filter(has_text=dan.name)
    row.get_by_role("button", name="Confirm").click()
    expect(row.get_by_text("Approved")).to_be_visible()

    page = dan.open(f"/u/{cleo.id}")
    expect(page.get_by_role("button", name="Following")).to_be_visible()
    expect(page.get_by_text("This account is private")).to_be_hidden()
    expect(page.get_by_text("No posts yet")).to_be_visible()


def test_a_block_hides_the_blocker(people):
    erin, finn = people("erin", "finn")
    erin.registered()
    finn.registered()
    page = finn.open(f"/u/{erin.id}")
    expect(page.get_by_role("heading", name=erin.name)).to_be_visible()

    page = erin.open(f"/u/{finn.id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Options").click()
    page.get_by_role("menuitem", name="Block").click()
    expect(page.get_by_role("button", name="Unblock")).to_be_visible()

    page = finn.open(f"/u/{erin.id}")
    expect(page.get_by_text("Sorry, this page isn't available.")).to_be_visible()
    page = finn.open("/search")
    page.get_by_label("Search users and hashtags").fill(erin.name)
    expect(page.get_by_text("No results found.")).to_be_visible()


def test_a_direct_message_is_sent_and_read(people):
    gina, hugo = people("gina", "hugo")
    gina.registered()
    hugo.registered()
    page = gina.open(f"/u/{hugo.id}")
    page.get_by_role("link", name="Message", exact=True).click()
    page.get_by_label("Message", exact=True).fill("Coffee tomorrow?")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".message.mine .bubble")).to_have_text("Coffee tomorrow?")
    expect(page.get_by_text("Seen")).to_be_hidden()

    page = hugo.open("/inbox")
    conversation = page.locator(".conversation").filter(has_text=gina.name)
    expect(conversation).to_contain_text("Coffee tomorrow?")
    expect(conversation.get_by_label("Unread")).to_be_visible()
    conversation.get_by_role("link").click()
    expect(page.locator(".message:not(.mine) .bubble")).to_have_text("Coffee tomorrow?")
    page.get_by_label("Message", exact=True).fill("Sure!")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".message.mine .bubble")).to_have_text("Sure!")

    gina.eventually(f"/inbox/{hugo.id}", lambda p: p.locator(".message:not(.mine)").filter(has_text="Sure!"))
    page = gina.page
    expect(page.get_by_text("Seen")).to_be_hidden()  # her newest is his answer, not hers
    page = hugo.open(f"/inbox/{gina.id}")
    expect(page.get_by_text("Seen")).to_be_visible()  # Gina read his answer


def test_a_message_and_a_notification_arrive_live_without_a_reload(people):
    ivy, jack = people("ivy", "jack")
    ivy.registered()
    jack.registered()
    thread = jack.open(f"/u/{ivy.id}")
    thread.get_by_role("link", name="Message", exact=True).click()
    thread.get_by_label("Message", exact=True).wait_for()
    expect(thread.locator("html")).to_have_attribute("data-live", "open")  # what is pushed from now on arrives
    expect(thread.locator(".topnav [data-badge]")).to_be_hidden()

    page = ivy.open(f"/u/{jack.id}")
    page.get_by_role("button", name="Follow", exact=True).click()
    expect(page.get_by_role("button", name="Following")).to_be_visible()
    page.get_by_role("link", name="Message", exact=True).click()
    page.get_by_label("Message", exact=True).fill("Are you there?")
    page.get_by_role("button", name="Send", exact=True).click()

    # Jack's page was not reloaded: the WebSocket brought both.
    expect(thread.locator(".message:not(.mine) .bubble")).to_have_text("Are you there?", timeout=15_000)
    expect(thread.locator(".topnav [data-badge]")).to_have_text("1", timeout=15_000)


def test_search_finds_a_user_and_a_hashtag(people):
    ivy, = [people("ivy")]
    ivy.registered()
    tag = f"walks{ivy.name[3:]}"
    _, login = ivy.stack.post("/api/auth/login", {"email": ivy.email, "password": ivy.password})
    status, _ = ivy.stack.post("/api/posts", {"content": f"Morning #{tag}"}, token=login["access_token"])
    assert status == 201
    page = ivy.open("/search")
    page.get_by_label("Search users and hashtags").fill(ivy.name[:6].upper())
    result = page.get_by_role("link", name=re.compile(ivy.name))
    expect(result).to_be_visible()
    result.click()
    expect(page.get_by_role("heading", name=ivy.name)).to_be_visible()

    def tag_found(page):
        page.get_by_label("Search users and hashtags").fill(f"#{tag[:8]}")
        return page.get_by_role("link", name=f"#{tag}")

    ivy.eventually("/search", tag_found).click()
    expect(page.get_by_role("heading", name=f"#{tag}")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(f"Post by {ivy.name}"))).to_have_count(1)


def test_a_rejected_upload_shows_its_reason(people, tmp_path):
    jack, = [people("jack")]
    jack.registered()
    page = jack.open("/new")
    fake = tmp_path / "holiday.jpg"
    fake.write_bytes(b"this is not a picture at all " * 40)
    page.locator("#photo-picker").set_input_files(str(fake))
    message = page.locator(".upload[data-state=rejected] .upload-message")
    expect(message).to_contain_text("holiday.jpg can't be used:", timeout=30_000)
    assert len(message.inner_text()) > len("holiday.jpg can't be used: ")
    expect(page.get_by_role("button", name="Share", exact=True)).to_be_disabled()

    gif = tmp_path / "anim.gif"
    gif.write_bytes(b"GIF89a" + b"\0" * 100)
    page.locator("#photo-picker").set_input_files(str(gif))
    expect(page.locator(".upload[data-state=rejected]").filter(has_text="anim.gif")).to_contain_text("content_type")


def test_an_expired_token_returns_to_the_login_screen(people):
    kim, = [people("kim")]
    kim.registered()
    page = kim.open(f"/u/{kim.id}")
    expect(page.get_by_role("heading", name=kim.name)).to_be_visible()
    an_hour_ago = int(time.time()) - 3600
    expired = jwt.encode({"sub": str(kim.id), "password_version": 0, "iat": an_hour_ago - 60, "exp": an_hour_ago},
                         security.token_key(), algorithm="HS256")
    page.evaluate("token => sessionStorage.setItem('instagram.token', token)", expired)
    page.reload()
    expect(page.get_by_role("form", name="Log in")).to_be_visible()
    expect(page.get_by_text("Your session has expired. Please log in again.")).to_be_visible()
    expect(page.locator(".topbar")).to_be_hidden()
    kim.log_in()
    expect(page.get_by_role("region", name="Stories")).to_be_visible()
