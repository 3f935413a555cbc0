"""The embedded AWS serves DynamoDB requests one at a time (so a conditional
write or a transaction is atomic) but lets SQS long polls wait in parallel."""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from infra.local_aws import SerialisedApp


class SlowApp:
    def __init__(self):
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        time.sleep(0.05)
        with self._lock:
            self.active -= 1
        return [b"ok"]


def call_concurrently(app, target: str, times: int = 6):
    with ThreadPoolExecutor(max_workers=times) as pool:
        list(pool.map(lambda _: app({"HTTP_X_AMZ_TARGET": target}, None), range(times)))


def test_dynamodb_requests_are_served_one_at_a_time():
    inner = SlowApp()
    call_concurrently(SerialisedApp(inner), "DynamoDB_20120810.TransactWriteItems")
    assert inner.most_active == 1


def test_sqs_long_polls_are_not_serialised():
    inner = SlowApp()
    call_concurrently(SerialisedApp(inner), "AmazonSQS.ReceiveMessage")
    assert inner.most_active > 1
