"""Shared fixtures. Every test runs against stock moto in-process
(mock_aws), provisioned once per run and emptied before each test, each call
taking the one lock that keeps DynamoDB's writes atomic (infra/one_at_a_time.py),
except tests/e2e, which start the real local stack. The cost patches of the
local stack (infra/local_aws.py) are applied only by the tests that compare
them with stock moto."""
import os

# Before anything imports the app: a stage of our own, fake credentials, and
# no endpoint (moto does not intercept calls sent to an explicit endpoint).
os.environ.update(
    STAGE="local",
    RESOURCE_PREFIX="instagram-test",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    BCRYPT_ROUNDS="4",
    EVENTS_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:instagram-test-events",
    # Named outright: chalice's test client sets the dev stage's RESOURCE_PREFIX
    # while a request runs, and table names are fixed at import, a bucket's is not.
    MEDIA_BUCKET="instagram-test-media",
    # Where the template points a stage's functions (docs/realtime.md);
    # tests/integration/test_realtime.py answers the management API itself.
    REALTIME_URL="wss://abc123.execute-api.us-east-1.amazonaws.com/v1",
    REALTIME_MANAGEMENT_URL="https://abc123.execute-api.us-east-1.amazonaws.com/v1",
    # Emptying the queues between tests purges them more than once a minute.
    MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR="false",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("JWT_SECRET", None)

import boto3  # noqa: E402
import pytest  # noqa: E402
from chalice.test import Client  # noqa: E402
from moto import mock_aws  # noqa: E402

from app import app  # noqa: E402
from chalicelib import config, rate_limits  # noqa: E402
from infra.one_at_a_time import OneAtATime, in_process_calls_serialised, sessions_answer_in_turn  # noqa: E402
from infra.provision import provision  # noqa: E402
from infra.pump import EventPump  # noqa: E402
from tests.helpers import (  # noqa: E402
    RATE_LIMIT_START,
    counting_dynamodb_calls,
    empty_mocked_aws,
    recording_published_events,
    register_and_login,
)

# The lock every in-process moto call of the suite takes, as the local
# stack's do; before any test makes a botocore session.
ONE_AT_A_TIME = OneAtATime()
sessions_answer_in_turn()


@pytest.fixture(scope="session")
def provisioned_aws():
    """The mocked AWS with every resource, created once: provisioning takes
    about half a second, which every test would otherwise pay."""
    with mock_aws(), in_process_calls_serialised(ONE_AT_A_TIME):
        provisioned = provision()
        assert provisioned.topic_arn == os.environ["EVENTS_TOPIC_ARN"]
        yield provisioned


@pytest.fixture
def aws(provisioned_aws):
    """The mocked AWS as if just provisioned: no items, no messages."""
    empty_mocked_aws()
    return provisioned_aws


@pytest.fixture
def one_at_a_time():
    """The lock every in-process moto call of the suite takes."""
    return ONE_AT_A_TIME


@pytest.fixture
def serialised_aws(aws):
    """For tests that race threads: in-process moto is not thread-safe, and
    every call of the suite takes the lock the local stack's embedded AWS
    takes (each call atomic, as on DynamoDB); this names what they rely on."""
    return aws


@pytest.fixture
def client(aws):
    with Client(app) as test_client:
        yield test_client.http


@pytest.fixture
def local_client(aws):
    """As client, with the local stage's settings (`make run`'s) while a
    request runs, rather than the dev stage's: GET /local/mail answers."""
    with Client(app, stage_name="local") as test_client:
        yield test_client.http


@pytest.fixture
def pump(aws):
    """Delivers queued events to the consumers, as Lambda would; failed
    messages become visible again at once so tests need not wait."""
    return EventPump(app, boto3.client("sqs"), retry_delay=lambda receives: 0)


@pytest.fixture
def dynamodb_calls():
    """The DynamoDB operations made from now on, in order."""
    with counting_dynamodb_calls() as calls:
        yield calls


@pytest.fixture
def published():
    """The events published from now on, by any command (or test), decoded
    from what reached SNS; the calls still go through to moto. A test that
    wants one command's events picks them by type."""
    with recording_published_events() as seen:
        yield seen


@pytest.fixture
def alice(client):
    return register_and_login(client, "alice")


@pytest.fixture
def bob(client):
    return register_and_login(client, "bob")


@pytest.fixture
def clock(monkeypatch):
    """The rate limits' clock, at RATE_LIMIT_START until a test moves it."""
    now = [float(RATE_LIMIT_START)]
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
