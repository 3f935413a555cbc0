"""The web app in headless Chromium (Debian's chromium, driven by
playwright) against the real local stack (`make run`), one per session.

Without chromium the tests skip locally; in CI (CI set) they fail instead,
so they can never be skipped there."""
import io
import os
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import local_stack  # noqa: F401  (the one stack of the session)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 860}
# Long enough for a consumer (feed fan-out, notifications, photo processing)
# on a busy machine; the page is reloaded until what it waits for shows.
EVENTUALLY_SECONDS = 30
# What one request answers shows within this (a shared, busy machine).
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium is missing ({CHROMIUM}): CI must run the browser tests (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); CI never skips these")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Person:
    """One person at their own browser (a context: its own session storage)."""

    def __init__(self, browser, stack, name: str, viewport=DESKTOP):
        self.name, self.stack = name, stack
        self.email, self.password = f"{name}@example.com", "correct horse battery"
        self.context = browser.new_context(viewport=viewport, base_url=stack.base_url)
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.id = None

    def open(self, path: str = "/"):
        # Going to the URL the page is at changes nothing: load it afresh.
        if self.page.url == f"{self.stack.base_url}/#{path}":
            self.page.reload()
        else:
            self.page.goto(f"/#{path}")
        return self.page

    def sign_up(self, full_name: str = ""):
        page = self.open("/signup")
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Full name").fill(full_name)
        page.get_by_label("Username").fill(self.name)
        page.get_by_label("Password").fill(self.password)
        page.get_by_role("button", name="Sign up").click()
        page.get_by_role("region", name="Stories").wait_for()
        self.id = page.evaluate("fetch('/api/auth/me', {headers: {Authorization: 'Bearer ' + "
                                "sessionStorage.getItem('instagram.token')}}).then(r => r.json()).then(u => u.id)")
        return self

    def registered(self):
        """Signed up through the API (quicker) and logged in through the page."""
        status, body = self.stack.post("/api/auth/register", {
            "username": self.name, "email": self.email, "password": self.password})
        assert status == 201, body
        self.id = body["id"]
        return self.log_in()

    def log_in(self):
        page = self.open("/login")
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Password").fill(self.password)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("region", name="Stories").wait_for()
        return self

    def eventually(self, path: str, locator, seconds: float = EVENTUALLY_SECONDS):
        """Opens path until locator(page) is visible: what a consumer makes
        shows on a later load, as a person would see it by refreshing."""
        deadline = time.monotonic() + seconds
        while True:
            self.open(path)
            self.page.wait_for_load_state()
            target = locator(self.page)
            try:
                target.first.wait_for(timeout=2_000)
                return target
            except Exception:
                if time.monotonic() > deadline:
                    raise

    def screenshot(self, name: str):
        SCREENSHOTS.mkdir(exist_ok=True)
        self.page.wait_for_timeout(300)  # images decoded, animations settled
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def close(self):
        self.context.close()
        assert not self.errors, f"{self.name}'s page threw: {self.errors}"


@pytest.fixture
def people(browser, local_stack):  # noqa: F811
    """people("ann", "bob") -> Persons at their own browsers, closed after the test."""
    made = []

    def make(*names, viewport=DESKTOP):
        for name in names:
            made.append(Person(browser, local_stack, f"{name}{time.time_ns() % 10**9}", viewport))
        return made[-len(names):] if len(names) > 1 else made[-1]

    yield make
    for person in made:
        person.close()


def jpeg(path: Path, color, size=(800, 600)) -> Path:
    """A real JPEG, as a camera would give one."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):  # some detail, so it looks like a photo in screenshots
        for y in range(0, size[1], 40):
            if (x + y) // 40 % 3 == 0:
                image.paste(tuple(min(255, c + 40) for c in color), (x, y, x + 40, y + 40))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path
