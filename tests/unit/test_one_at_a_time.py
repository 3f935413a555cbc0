"""The one lock of the embedded AWS and of the test suite
(infra/one_at_a_time.py): DynamoDB calls are answered one at a time (so a
conditional write or a transaction is atomic), over HTTP and in-process
alike, in the order they asked, but SQS long polls wait in parallel."""
import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from moto import mock_aws
from moto.core.models import botocore_stubber
from werkzeug.test import EnvironBuilder

from infra.one_at_a_time import OneAtATime, SerialisedApp, in_process_calls_serialised

OK = (200, {}, b"{}")


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


def answered_by(backend, monkeypatch):
    """mock_aws answers every botocore call of this process with backend.call()."""
    monkeypatch.setattr(botocore_stubber, "process_request", lambda request: (backend.call(), OK)[1])


def dynamodb_call():
    client = boto3.client("dynamodb", region_name="us-east-1")
    return lambda: client.list_tables()


def sqs_long_poll():
    client = boto3.client("sqs", region_name="us-east-1")
    return lambda: client.receive_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                          WaitTimeSeconds=1)


def test_in_process_calls_are_answered_one_at_a_time(monkeypatch):
    backend = SlowBackend()
    answered_by(backend, monkeypatch)
    with mock_aws(), in_process_calls_serialised(OneAtATime()):
        concurrently(dynamodb_call())
    assert backend.most_active == 1


def test_in_process_long_polls_are_not_serialised(monkeypatch):
    answered_by(MeetingBackend(), monkeypatch)
    with mock_aws(), in_process_calls_serialised(OneAtATime()):
        concurrently(sqs_long_poll())


def test_http_and_in_process_calls_share_one_lock(monkeypatch):
    backend, one_at_a_time = SlowBackend(), OneAtATime()
    answered_by(backend, monkeypatch)
    app = SerialisedApp(lambda environ, start_response: [backend.call()], one_at_a_time)
    with mock_aws(), in_process_calls_serialised(one_at_a_time):
        calls = [lambda: app(http_request("DynamoDB_20120810.PutItem"), None), dynamodb_call()] * 3
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
