"""The links in the account mails lead to screens of the web app: confirming
the address (and the banner asking for it), and resetting a forgotten
password, in a real browser against `make run`, the mails read from
GET /local/mail as a person would open them from their inbox."""
import re
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, EVENTUALLY_SECONDS, PHONE
from tests.e2e.conftest import wait_until


def mailed_link(person, subject: str, seen: int = 0) -> str:
    """The link of the newest mail with this subject, once there are more than `seen`."""
    def newest():
        status, mails = person.stack.get(f"/local/mail?to={quote(person.email)}")
        assert status == 200, mails
        found = [mail for mail in mails if mail["subject"] == subject]
        return found[0] if len(found) > seen else None

    mail = wait_until(newest, EVENTUALLY_SECONDS, interval=0.3)
    return re.search(r"(http\S+)", mail["text"]).group(1)


def test_a_person_confirms_the_email_and_resets_the_password_from_the_mailed_links(people):
    ada = people("ada")
    page = ada.sign_up().page
    banner = page.get_by_role("region", name="Unconfirmed address")
    expect(banner).to_contain_text(f"Confirm your email address — we sent a link to {ada.email}")
    ada.screenshot("email-banner-desktop")
    page.set_viewport_size(PHONE)
    ada.screenshot("email-banner-phone")
    page.set_viewport_size(DESKTOP)
    banner.get_by_role("button", name="Resend").click()
    expect(banner.get_by_text("Sent")).to_be_visible()

    link = mailed_link(ada, "Confirm your email address")
    assert "/#/verify-email?token=" in link
    page.goto(link)
    expect(page.get_by_text("Your email is verified.")).to_be_visible()
    expect(banner).to_be_hidden()
    ada.screenshot("email-verified-desktop")
    page.get_by_role("link", name="Continue to Instagram").click()
    page.get_by_role("region", name="Stories").wait_for()
    expect(banner).to_be_hidden()

    # The same link opened afresh: used, said in words.
    page.goto(link)
    page.reload()
    expect(page.get_by_text("This link has already been used or has expired.")).to_be_visible()
    ada.screenshot("email-link-used-desktop")

    page = ada.open(f"/u/{ada.id}")
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("link", name="Forgot password?").click()
    form = page.get_by_role("form", name="Reset your password")
    form.get_by_label("Email").fill(ada.email)
    form.get_by_role("button", name="Send login link").click()
    expect(page.get_by_text("If an account uses this address, we've sent it a link")).to_be_visible()
    ada.screenshot("forgot-password-sent-desktop")

    page.goto(mailed_link(ada, "Reset your password"))
    form = page.get_by_role("form", name="Reset password")
    form.get_by_label("New password", exact=True).fill("short")
    form.get_by_label("Re-type new password").fill("short")
    form.get_by_role("button", name="Reset password").click()
    expect(form.get_by_role("alert")).to_have_text("Your password must be at least 8 characters.")
    new_password = "a brand new passphrase"
    form.get_by_label("New password", exact=True).fill(new_password)
    form.get_by_label("Re-type new password").fill(new_password)
    ada.screenshot("reset-password-desktop")
    form.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("form", name="Log in")).to_be_visible()
    expect(page.get_by_text("Your password has been changed. Log in with the new one.")).to_be_visible()
    ada.screenshot("password-changed-login-desktop")

    ada.password = new_password
    ada.log_in()
    expect(page.get_by_role("region", name="Unconfirmed address")).to_be_hidden()
