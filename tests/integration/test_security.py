"""The holes of the security review (issue 30), one test each, kept closed.
Each test is named for what it proves and fails on the code before its fix."""
import re
import time

import jwt
import pytest

from app import app
from chalicelib import config, rate_limits, security
from chalicelib.api.schemas import MAX_ID
from infra import cloudformation
from tests.helpers import calling_from, get, post_json, put_json, register_and_login, unique_name

START = 1_800_000_000  # a multiple of every rate-limit window


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, at START until a test moves it."""
    now = [float(START)]
    monkeypatch.setattr(rate_limits, "_now", lambda: now[0])
    return now


@pytest.fixture
def limits(monkeypatch):
    """Sets settings (env var name -> value) for the rest of the test."""
    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setenv(name, str(value))
        config.settings.cache_clear()

    yield set_limits
    config.settings.cache_clear()


def attempt(client, email: str, password: str):
    return post_json(client, "/api/auth/login", {"email": email, "password": password})


# --- 9. /docs runs only the exact files it was reviewed with ---------------------------

def test_the_docs_page_loads_only_pinned_versions_checked_by_sri_hashes(client):
    html = get(client, "/docs").body.decode()
    external = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"https?://[^>]*>", html)
    assert len(external) == 2, html
    for tag in external:
        assert re.search(r"swagger-ui-dist@\d+\.\d+\.\d+/", tag), tag
        assert re.search(r'integrity="sha384-[A-Za-z0-9+/]{64}"', tag), tag
        assert 'crossorigin="anonymous"' in tag, tag
