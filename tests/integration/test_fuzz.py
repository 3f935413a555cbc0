"""Fuzzing: schemathesis runs every operation of the OpenAPI document
(GET /api/openapi.json) against the app, in-process over moto, with a bounded
number of examples each so the run stays short.

Checks on every response: no 5xx, a status code the document lists, the
documented content type, headers and body schema. Authenticated operations
get a valid token; path ids are generated, or (often) the id of something
that exists, so both the 404 paths and the real ones are exercised.
"""
import http
import os

import pytest
import schemathesis
from chalice.test import Client
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import app
from chalicelib.security import create_access_token
from tests.helpers import (
    add_comment,
    create_post,
    create_story,
    empty_mocked_aws,
    follow,
    post_json,
    register,
    seed_notifications,
)

# Per operation (33 operations, 63 runs: a few hundred requests, about 20 s).
# FUZZ_EXAMPLES=60 FUZZ_NEGATIVE_EXAMPLES=40 makes a deeper run (a few minutes).
EXAMPLES = {GenerationMode.POSITIVE: int(os.environ.get("FUZZ_EXAMPLES", "8")),
            GenerationMode.NEGATIVE: int(os.environ.get("FUZZ_NEGATIVE_EXAMPLES", "4"))}

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


class ChaliceWsgi:
    """A WSGI face on the Chalice app, through chalice.test's local gateway
    (the same one `chalice local` and the other tests use)."""

    def __init__(self, chalice_app):
        self._client = Client(chalice_app)

    def __call__(self, environ, start_response):
        # The raw, still percent-encoded path, as API Gateway would see it.
        path = (environ.get("RAW_URI") or environ.get("PATH_INFO") or "/").partition("?")[0]
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        response = self._client.http.request(environ["REQUEST_METHOD"], path, headers=headers, body=body)
        status = http.HTTPStatus(response.status_code)
        response_headers = dict(response.headers)
        if not any(name.lower() == "content-type" for name in response_headers):
            # What `chalice local` and API Gateway send for a route that sets none.
            response_headers["Content-Type"] = "application/json"
        start_response(f"{status.value} {status.phrase}", list(response_headers.items()))
        return [response.body or b""]


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", ChaliceWsgi(app))
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
# Negative data (wrong types, out-of-range values, broken bodies) only where
# there is an input to break.
RUNS = [
    pytest.param(operation, mode, id=f"{operation.label} {mode}")
    for operation in OPERATIONS
    for mode in EXAMPLES
    if mode is GenerationMode.POSITIVE or operation.definition.raw.get("parameters")
    or operation.definition.raw.get("requestBody")
]


@pytest.fixture(scope="module")
def world(provisioned_aws):
    """The mocked AWS, emptied once for the whole module, with another user
    and things of theirs that exist: a post, a story."""
    empty_mocked_aws()
    client = Client(app).http
    bob = register(client)
    bob_token = create_access_token(bob["id"], 0)
    post = create_post(client, bob_token, "Golden hour #sunset")
    return client, bob, post, create_story(client, bob_token, "Today")


@pytest.fixture
def actor(world):
    """A fresh user to act as, for each operation (so that one operation's
    writes never use up the next one's write rate limit), who follows bob and
    has a post, a comment and notifications of their own. Its token is made
    directly: the fuzzer's own login attempts may use up the login limit."""
    client, bob, bobs_post, story = world
    me = register(client)
    token = create_access_token(me["id"], 0)
    follow(client, token, bob["id"])
    own_post = create_post(client, token, "Mine #sunset")
    comment = add_comment(client, token, bobs_post["id"])
    media = post_json(client, "/api/media", {"content_type": "image/png", "size_bytes": 100}, token).json_body
    existing = {
        "user_id": [bob["id"], me["id"]],
        "other_user_id": [bob["id"]],
        "sender_id": [bob["id"]],
        "post_id": [bobs_post["id"], own_post["id"]],
        "comment_id": [comment["id"]],
        "story_id": [story["id"]],
        "media_id": [media["id"]],
        "notification_id": seed_notifications(me["id"], 2),
        "tag": ["sunset", "%23sunset"],
    }
    return token, existing


def _cases(operation, mode: GenerationMode, existing: dict):
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if not names or mode is GenerationMode.NEGATIVE:
        return generated
    real = st.fixed_dictionaries({name: st.sampled_from(existing[name]) for name in names})
    return st.one_of(generated, real.flatmap(lambda values: operation.as_strategy(path_parameters=values)))


@pytest.mark.parametrize(("operation", "mode"), RUNS)
def test_every_operation_answers_as_documented(actor, operation, mode):
    token, existing = actor
    authenticated = bool(operation.definition.raw.get("security"))
    headers = {"Authorization": f"Bearer {token}"} if authenticated else None

    @settings(max_examples=EXAMPLES[mode], derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_cases(operation, mode, existing))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()
