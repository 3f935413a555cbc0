"""Shared fixtures. Every test runs against moto in-process (mock_aws),
provisioned once per run and emptied before each test, except tests/e2e,
which start the real local stack."""
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
from infra.local_aws import (  # noqa: E402
    OneAtATime,
    dynamodb_costs_bounded,
    in_process_calls_serialised,
    per_call_overhead_trimmed,
)
from infra.provision import provision  # noqa: E402
from infra.pump import EventPump  # noqa: E402
from tests.helpers import (  # noqa: E402
    counting_dynamodb_calls,
    empty_mocked_aws,
    recording_published_events,
    register_and_login,
)


@pytest.fixture(scope="session")
def provisioned_aws():
    """The mocked AWS with every resource, created once: provisioning takes
    about half a second, which every test would otherwise pay. Its DynamoDB
    costs what the local stack's does, and every call as little (infra/local_aws.py)."""
    with mock_aws(), dynamodb_costs_bounded(), per_call_overhead_trimmed():
        provisioned = provision()
        assert provisioned.topic_arn == os.environ["EVENTS_TOPIC_ARN"]
        yield provisioned


@pytest.fixture
def aws(provisioned_aws):
    """The mocked AWS as if just provisioned: no items, no messages."""
    empty_mocked_aws()
    return provisioned_aws


@pytest.fixture
def serialised_aws(aws):
    """For tests that race threads: in-process moto is not thread-safe, so
    every call takes the lock the local stack's embedded AWS takes (each call
    atomic, as on DynamoDB)."""
    with in_process_calls_serialised(OneAtATime()):
        yield aws


@pytest.fixture
def client(aws):
    with Client(app) as test_client:
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
