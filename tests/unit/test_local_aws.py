"""The embedded AWS serves DynamoDB requests one at a time (so a conditional
write or a transaction is atomic), over HTTP and in-process alike, but lets
SQS long polls wait in parallel."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

from moto.core.models import botocore_stubber

from infra.local_aws import OneAtATime, SerialisedApp, in_process_calls_serialised


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


def over_http(backend, target: str):
    app = SerialisedApp(lambda environ, start_response: [backend.call()], OneAtATime())
    return lambda: app({"HTTP_X_AMZ_TARGET": target}, None)


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
    calls = [lambda: app({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}, None),
             in_process(backend, b"DynamoDB_20120810.PutItem")] * 3
    with in_process_calls_serialised(one_at_a_time):
        with ThreadPoolExecutor(max_workers=len(calls)) as pool:
            list(pool.map(lambda call: call(), calls))
    assert backend.most_active == 1
