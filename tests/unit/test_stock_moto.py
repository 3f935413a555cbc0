"""The suite runs on stock moto: the cost patches of the local stack
(infra/local_aws.py) are imported only by the tests that compare them with
stock moto, and none of them is applied while the other tests run; what
keeps in-process moto's DynamoDB atomic is the one lock, which every call
of the suite takes (infra/one_at_a_time.py)."""
import copy
import re
import subprocess
import sys
import threading
from pathlib import Path

import boto3
from botocore.signers import RequestSigner
from moto.core import responses as core_responses
from moto.core import utils as moto_utils
from moto.core.botocore_stubber import BotocoreStubber
from moto.core.models import botocore_stubber
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult
from moto.sqs import models as sqs_models

ROOT = Path(__file__).resolve().parents[2]
# The tests that compare the patched answers with stock moto's, or test the
# local stack's own machinery: the only ones that import the patches.
PATCH_TESTS = {"tests/unit/test_local_aws.py", "tests/integration/test_embedded_dynamodb.py"}


def test_only_the_tests_of_the_patches_import_them():
    importing = {str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
                 if re.search(r"^\s*(from|import) infra\.local_aws\b", path.read_text(), re.MULTILINE)}
    assert importing == PATCH_TESTS


def test_the_suites_fixtures_and_what_they_import_leave_the_patches_unimported():
    probe = ("import sys, tests.conftest, tests.helpers, app, infra.provision, infra.pump, chalicelib.consumers; "
             "print('infra.local_aws' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_no_patch_is_applied_while_a_test_runs(aws):
    # What infra/local_aws.py replaces, each as moto or botocore define it.
    for replaced in (Table.query, DynamoDBBackend.transact_write_items, DynamoResult.execute_result,
                     sqs_models.SQSBackend.is_message_valid_based_on_retention_period):
        assert replaced.__module__.startswith("moto."), replaced
    assert dynamodb_models.copy is copy
    assert core_responses.method_names_from_class is moto_utils.method_names_from_class
    assert core_responses.camelcase_to_underscores is moto_utils.camelcase_to_underscores
    assert sqs_models.camelcase_to_underscores is moto_utils.camelcase_to_underscores
    assert (sqs_models.unix_time, sqs_models.unix_time_millis) == (moto_utils.unix_time, moto_utils.unix_time_millis)
    assert RequestSigner.sign.__module__ == "botocore.signers"
    assert getattr(botocore_stubber.process_request, "__func__", None) is BotocoreStubber.process_request


def test_every_call_of_the_suite_waits_for_the_one_lock(aws, one_at_a_time):
    from chalicelib.models.users import User

    calls = {
        "boto3's default session": lambda: boto3.client("dynamodb").list_tables(),
        "PynamoDB's session": lambda: User.count(1),
    }
    answered = {name: threading.Event() for name in calls}

    def call(name):
        calls[name]()
        answered[name].set()

    with one_at_a_time.turn("DynamoDB_20120810.GetItem"):
        threads = [threading.Thread(target=call, args=(name,), daemon=True) for name in calls]
        for thread in threads:
            thread.start()
        waited = {name: not event.wait(timeout=0.5) for name, event in answered.items()}
    for thread in threads:
        thread.join(timeout=20)
    assert waited == {name: True for name in calls}
    assert all(event.is_set() for event in answered.values())
