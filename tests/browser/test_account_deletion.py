"""The settings area of the edit-profile screen: downloading one's data,
and deleting the account, in a real browser against `make run`."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import EVENTUALLY_SECONDS


def test_an_account_is_deleted_from_its_settings_after_its_password(people):
    kim, lee = people("kim", "lee")
    kim.registered()
    lee.registered()
    lee_token = lee.page.evaluate("sessionStorage.getItem('instagram.token')")
    status, body = lee.stack.post("/api/messages", {"receiver_id": kim.id, "content": "see you soon"}, lee_token)
    assert status == 201, body
    page = kim.open("/edit")
    settings = page.get_by_role("region", name="Account settings")
    expect(settings).to_be_visible()

    settings.get_by_role("button", name="Download your data").click()
    expect(settings.get_by_text(re.compile("Preparing your data|Your data is ready"))).to_be_visible()
    expect(settings.get_by_role("link", name="Download the ZIP file")).to_be_visible(
        timeout=EVENTUALLY_SECONDS * 1000)

    settings.get_by_role("button", name="Delete account").click()
    confirm = page.get_by_role("form", name="Confirm account deletion")
    expect(confirm.get_by_text("your username and email become free for anyone to use")).to_be_visible()
    confirm.get_by_label("Enter your password to confirm").fill("not my password")
    confirm.get_by_role("button", name="Delete my account").click()
    expect(confirm.get_by_role("alert")).to_have_text("Password is incorrect")
    kim.screenshot("delete-account-desktop")

    confirm.get_by_label("Enter your password to confirm").fill(kim.password)
    confirm.get_by_role("button", name="Delete my account").click()
    expect(page.get_by_role("form", name="Log in")).to_be_visible()
    expect(page.get_by_text("Your account has been deleted.")).to_be_visible()
    expect(page.locator(".topbar")).to_be_hidden()
    kim.screenshot("deleted-account-login-desktop")

    page.get_by_label("Email").fill(kim.email)
    page.get_by_label("Password").fill(kim.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Invalid credentials")).to_be_visible()

    # lee keeps the conversation, kim shown as a deleted account, with no way to reply.
    page = lee.open("/inbox")
    conversation = page.get_by_role("link", name=re.compile("Deleted account"))
    expect(conversation).to_contain_text("You: see you soon")
    conversation.click()
    expect(page.get_by_role("list", name="Conversation with Deleted account")).to_contain_text("see you soon")
    expect(page.get_by_text("This account was deleted. You can't reply.")).to_be_visible()
    lee.screenshot("deleted-account-thread-desktop")
