"""The embedded AWS serves DynamoDB requests one at a time (so a conditional
write or a transaction is atomic), over HTTP, in-process and from its
workers alike, but lets SQS long polls wait in parallel."""
import io
import pickle
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import current_process
from multiprocessing.connection import Client
from types import SimpleNamespace

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from moto import mock_aws
from moto.core.models import botocore_stubber
from werkzeug.test import EnvironBuilder

from infra.local_aws import (
    MotoForWorkers,
    OneAtATime,
    SerialisedApp,
    calls_answered_by_parent,
    dynamodb_calls_counted,
    in_process_calls_serialised,
)


class SlowBackend:
    """Counts how many calls run at once."""

    def __init__(self):
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def call(self):
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        time.sleep(0.05)
        with self._lock:
            self.active -= 1


class MeetingBackend:
    """Each call waits until `times` calls are in at once: only calls that
    really run in parallel get through (otherwise BrokenBarrierError)."""

    def __init__(self, times: int = 6):
        self._barrier = threading.Barrier(times, timeout=10)

    def call(self):
        self._barrier.wait()


def concurrently(call, times: int = 6):
    with ThreadPoolExecutor(max_workers=times) as pool:
        list(pool.map(lambda _: call(), range(times)))


def http_request(target: str, body=b"") -> dict:
    return EnvironBuilder(method="POST", headers={"X-Amz-Target": target}, data=body).get_environ()


def over_http(backend, target: str):
    app = SerialisedApp(lambda environ, start_response: [backend.call()], OneAtATime())
    return lambda: app(http_request(target), None)


def test_dynamodb_requests_over_http_are_served_one_at_a_time():
    backend = SlowBackend()
    concurrently(over_http(backend, "DynamoDB_20120810.TransactWriteItems"))
    assert backend.most_active == 1


def test_sqs_long_polls_over_http_are_not_serialised():
    concurrently(over_http(MeetingBackend(), "AmazonSQS.ReceiveMessage"))


def in_process(backend, target: bytes):
    request = SimpleNamespace(headers={"X-Amz-Target": target})
    return lambda: botocore_stubber.process_request(request)


def test_in_process_calls_are_answered_one_at_a_time(monkeypatch):
    backend = SlowBackend()
    monkeypatch.setattr(botocore_stubber, "process_request", lambda request: backend.call())
    with in_process_calls_serialised(OneAtATime()):
        concurrently(in_process(backend, b"DynamoDB_20120810.TransactWriteItems"))
    assert backend.most_active == 1


def test_in_process_long_polls_are_not_serialised(monkeypatch):
    backend = MeetingBackend()
    monkeypatch.setattr(botocore_stubber, "process_request", lambda request: backend.call())
    with in_process_calls_serialised(OneAtATime()):
        concurrently(in_process(backend, b"AmazonSQS.ReceiveMessage"))


def test_http_and_in_process_calls_share_one_lock(monkeypatch):
    backend, one_at_a_time = SlowBackend(), OneAtATime()
    monkeypatch.setattr(botocore_stubber, "process_request", lambda request: backend.call())
    app = SerialisedApp(lambda environ, start_response: [backend.call()], one_at_a_time)
    calls = [lambda: app(http_request("DynamoDB_20120810.PutItem"), None),
             in_process(backend, b"DynamoDB_20120810.PutItem")] * 3
    with in_process_calls_serialised(one_at_a_time):
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            list(pool.map(lambda call: call(), calls))
    assert backend.most_active == 1


class _SlowBody(io.BytesIO):
    """A request body that arrives only once let_go is set."""

    def __init__(self, data: bytes, let_go: threading.Event):
        super().__init__(data)
        self._let_go = let_go

    def read(self, *args):
        self._let_go.wait(timeout=30)
        return super().read(*args)


def test_a_request_whose_body_is_still_arriving_does_not_hold_the_lock():
    one_at_a_time, let_go = OneAtATime(), threading.Event()
    app = SerialisedApp(lambda environ, start_response: [environ["wsgi.input"].read()], one_at_a_time)
    slow = http_request("DynamoDB_20120810.PutItem", b"{}")
    slow["wsgi.input"] = _SlowBody(b"{}", let_go)
    with ThreadPoolExecutor(max_workers=2) as pool:
        arriving = pool.submit(app, slow, None)
        other = pool.submit(app, http_request("DynamoDB_20120810.GetItem", b"[]"), None)
        # The other call is answered while the first one's body is still on its
        # way (the bound only keeps a broken lock from hanging the suite).
        assert other.result(timeout=20) == [b"[]"]
        let_go.set()
        assert arriving.result(timeout=30) == [b"{}"]


def prepared(target: str) -> AWSPreparedRequest:
    headers = HTTPHeaders()
    headers["X-Amz-Target"] = target
    return AWSPreparedRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", headers, b"{}", False)


OK = (200, {}, b"{}")


def test_a_workers_calls_take_the_parents_lock_and_count_in_the_worker(monkeypatch):
    backend, one_at_a_time = SlowBackend(), OneAtATime()
    monkeypatch.setattr(botocore_stubber, "process_request", lambda request: (backend.call(), OK)[1])
    with in_process_calls_serialised(one_at_a_time):
        answer_here = botocore_stubber.process_request
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


def test_the_lock_is_taken_in_the_order_it_was_asked_for():
    one_at_a_time, order = OneAtATime(), []
    lock = one_at_a_time.turn("DynamoDB_20120810.PutItem")

    def take(number: int):
        with lock:
            order.append(number)

    with lock:
        threads = []
        for number in range(5):
            threads.append(threading.Thread(target=take, args=(number,)))
            threads[-1].start()
            deadline = time.monotonic() + 10
            while len(lock._waiting) <= number and time.monotonic() < deadline:  # until it waits
                time.sleep(0.001)
    for thread in threads:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]
