"""The embedded AWS of `make run` answers its workers' calls in turn with
its own (the lock of infra/one_at_a_time.py), lets their SQS long polls
wait in parallel, and survives a worker that goes away; it refuses a moto
other than the one its patches were written for."""
import pickle
import threading
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import current_process
from multiprocessing.connection import Client

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto import mock_aws
from moto.core.models import botocore_stubber

from infra.local_aws import (
    MOTO_VERSION,
    MotoForWorkers,
    _answered_in_turn,
    calls_answered_by_parent,
    check_moto_version,
    dynamodb_calls_counted,
)
from infra.one_at_a_time import OneAtATime
from tests.unit.test_one_at_a_time import SlowBackend


def prepared(target: str) -> AWSPreparedRequest:
    headers = HTTPHeaders()
    headers["X-Amz-Target"] = target
    return AWSPreparedRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", headers, b"{}", False)


OK = (200, {}, b"{}")


def test_a_workers_calls_take_the_parents_lock_and_count_in_the_worker(monkeypatch):
    backend, one_at_a_time = SlowBackend(), OneAtATime()
    monkeypatch.setattr(botocore_stubber, "process_request", lambda request: (backend.call(), OK)[1])
    answer_here = _answered_in_turn(one_at_a_time)
    parent = MotoForWorkers(answer_here).start()
    try:
        # The worker's side, in this same process: calls leave through the connection.
        with calls_answered_by_parent(parent.address):
            from_worker = botocore_stubber.process_request
            request = prepared("DynamoDB_20120810.PutItem")
            dynamodb_calls_counted(start=True)
            assert from_worker(request) == OK
            assert dynamodb_calls_counted() == 1
            calls = [lambda: answer_here(request), lambda: from_worker(request)] * 3
            with ThreadPoolExecutor(max_workers=len(calls)) as pool:
                list(pool.map(lambda call: call(), calls))
    finally:
        parent.stop()
    assert backend.most_active == 1


def get_item():
    """A GetItem, answered by whoever answers this process's calls now."""
    return botocore_stubber.process_request(prepared("DynamoDB_20120810.GetItem"))


class LongPollsHeld:
    """Answers every call at once, but holds each SQS long poll (as if it
    waited for messages) until let_go is set."""

    def __init__(self):
        self.polling, self.let_go = threading.Event(), threading.Event()

    def __call__(self, request):
        if request.headers["X-Amz-Target"] == "AmazonSQS.ReceiveMessage":
            self.polling.set()
            self.let_go.wait(timeout=30)
        return OK


def test_a_workers_long_poll_does_not_hold_up_other_calls_from_workers():
    answer = LongPollsHeld()
    parent = MotoForWorkers(answer).start()
    try:
        with calls_answered_by_parent(parent.address), ThreadPoolExecutor(max_workers=2) as pool:
            long_poll = pool.submit(botocore_stubber.process_request, prepared("AmazonSQS.ReceiveMessage"))
            assert answer.polling.wait(timeout=20)
            other = pool.submit(get_item)
            # The bound only keeps a broken server from hanging the suite.
            assert other.result(timeout=20) == OK
            answer.let_go.set()
            assert long_poll.result(timeout=30) == OK
    finally:
        answer.let_go.set()
        parent.stop()


def answered_within(call, seconds: float = 20) -> list:
    """[what call returned, or the exception it raised], or [] if it had not
    returned in time (the bound only keeps a broken server from hanging the
    suite)."""
    outcome = []

    def run():
        try:
            outcome.append(call())
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    return outcome


def raw_connection(parent: MotoForWorkers):
    return Client(parent.address, authkey=current_process().authkey)


def test_a_worker_gone_during_its_long_poll_leaves_the_others_answered():
    answer = LongPollsHeld()
    parent = MotoForWorkers(answer).start()
    try:
        gone = raw_connection(parent)
        long_poll = prepared("AmazonSQS.ReceiveMessage")
        gone.send_bytes(pickle.dumps((long_poll.method, long_poll.url, list(long_poll.headers.items()), b"{}")))
        assert answer.polling.wait(timeout=20)
        gone.close()
        answer.let_go.set()  # its answer finds nobody
        with calls_answered_by_parent(parent.address):
            for _ in range(3):
                assert answered_within(get_item) == [OK]
    finally:
        answer.let_go.set()
        parent.stop()


def test_a_connection_that_sends_what_no_worker_sends_is_dropped_and_the_others_answered():
    parent = MotoForWorkers(lambda request: OK).start()
    try:
        odd = raw_connection(parent)
        odd.send_bytes(b"not a pickle")
        [dropped] = answered_within(odd.recv_bytes)
        assert isinstance(dropped, EOFError)
        with calls_answered_by_parent(parent.address):
            assert answered_within(get_item) == [OK]
    finally:
        parent.stop()


def test_a_call_after_stop_fails_rather_than_waits():
    parent = MotoForWorkers(lambda request: OK).start()
    with calls_answered_by_parent(parent.address):
        assert get_item() == OK
        parent.stop()
        [failure] = answered_within(get_item)
        assert isinstance(failure, (EOFError, OSError))


def test_workers_send_their_dynamodb_calls_unsigned_and_every_other_call_signed():
    authorization = {}

    def answer(request):
        value = request.headers.get("Authorization")
        authorization[request.url.split("/")[2].split(".")[0]] = value.decode() if isinstance(value, bytes) else value
        return OK

    parent = MotoForWorkers(answer).start()
    try:
        with mock_aws(), calls_answered_by_parent(parent.address):
            boto3.client("dynamodb", region_name="us-east-1").list_tables()
            boto3.client("sqs", region_name="us-east-1").list_queues()
    finally:
        parent.stop()
    assert authorization["dynamodb"] is None
    assert authorization["sqs"].startswith("AWS4-HMAC-SHA256 ")


def test_a_failure_of_the_parents_moto_reaches_the_workers_caller_and_only_it():
    calls = []

    def failing_once(request):
        calls.append(request)
        if len(calls) == 1:
            raise KeyError("no such backend")
        return OK

    parent = MotoForWorkers(failing_once).start()
    try:
        with calls_answered_by_parent(parent.address):
            with pytest.raises(RuntimeError, match="no such backend"):
                get_item()
            # The thread that answers every worker goes on answering.
            assert answered_within(get_item) == [OK]
    finally:
        parent.stop()


def test_another_moto_is_refused_naming_the_one_needed():
    check_moto_version(MOTO_VERSION)
    with pytest.raises(RuntimeError, match=f"moto {MOTO_VERSION}.*moto 5.3.0 is installed"):
        check_moto_version("5.3.0")


def test_the_development_requirements_pin_the_moto_the_patches_were_written_for():
    from tests.unit.test_lock_files import ROOT, locked

    assert f"moto[server]=={MOTO_VERSION}" in (ROOT / "requirements-dev.in").read_text().split()
    assert locked("requirements-dev.txt")["moto"] == MOTO_VERSION
