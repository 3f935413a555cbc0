"""The local event pump: what Lambda's SQS event source mapping does in the
cloud. chalice local ignores @on_sqs_message, so this long-polls each
consumer's queue and calls the very same handlers with Lambda-shaped events.

A message is deleted only after its handler succeeded: a handler that raises
leaves its whole batch, and a reported batchItemFailure leaves that record,
for redelivery and eventually the dead-letter queue.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from chalice.app import SQSEventConfig

from chalicelib.outbox import relay_pending

logger = logging.getLogger("pump")


@dataclass(frozen=True)
class Consumer:
    name: str
    queue_name: str
    batch_size: int
    handler: Callable


def consumers_of(app) -> list[Consumer]:
    return [
        Consumer(source.name, source.queue, source.batch_size, app.handler_map[source.name])
        for source in app.event_sources
        if isinstance(source, SQSEventConfig)
    ]


class _LambdaContext:
    def __init__(self, function_name: str):
        self.function_name = function_name
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return int((self._deadline - time.monotonic()) * 1000)


class EventPump:
    def __init__(self, app, sqs, retry_delay: Callable[[int], int] = lambda receives: min(receives, 10)):
        self._sqs = sqs
        self._retry_delay = retry_delay
        self.consumers = consumers_of(app)
        self._queues = {}  # queue name -> (url, arn)

    def _queue(self, name: str) -> tuple[str, str]:
        if name not in self._queues:
            url = self._sqs.get_queue_url(QueueName=name)["QueueUrl"]
            arn = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            self._queues[name] = (url, arn)
        return self._queues[name]

    def poll(self, consumer: Consumer, wait_seconds: int = 0) -> int:
        """Receives one batch, hands it to the consumer; returns its size."""
        url, arn = self._queue(consumer.queue_name)
        messages = self._sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=consumer.batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        failed = self._invoke(consumer, messages, arn)
        for message in messages:
            if message["MessageId"] in failed:
                receives = int(message["Attributes"].get("ApproximateReceiveCount", "1"))
                self._sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self._retry_delay(receives),
                )
            else:
                self._sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)

    def _invoke(self, consumer: Consumer, messages: list[dict], queue_arn: str) -> set[str]:
        """Calls the handler; returns the ids of the messages that failed."""
        event = {"Records": [_lambda_record(m, queue_arn) for m in messages]}
        try:
            response = consumer.handler(event, _LambdaContext(consumer.name))
        except Exception:
            logger.exception("consumer %s failed its whole batch", consumer.name)
            return {m["MessageId"] for m in messages}
        failures = (response or {}).get("batchItemFailures", [])
        return {failure["itemIdentifier"] for failure in failures}

    def drain(self, max_rounds: int = 100) -> int:
        """Polls every queue until none has a visible message (for tests)."""
        total = 0
        for _ in range(max_rounds):
            received = sum(self.poll(consumer) for consumer in self.consumers)
            if not received:
                return total
            total += received
        raise RuntimeError("queues did not drain")

    def run(self, stop: threading.Event, wait_seconds: int = 1,
            relay_every_seconds: float = 2) -> list[threading.Thread]:
        """Starts one long-polling thread per consumer, and the outbox relay
        (the scheduled Lambda's job in the cloud), until stop is set."""
        threads = [
            threading.Thread(target=self._loop, args=(consumer, stop, wait_seconds),
                             name=f"pump-{consumer.name}", daemon=True)
            for consumer in self.consumers
        ]
        threads.append(threading.Thread(target=self._relay_loop, args=(stop, relay_every_seconds), name="outbox-relay",
                                        daemon=True))
        for thread in threads:
            thread.start()
        return threads

    def _relay_loop(self, stop: threading.Event, every_seconds: float, grace_ms: int = 5_000) -> None:
        while not stop.wait(every_seconds):
            try:
                relay_pending(older_than_ms=grace_ms)
            except Exception:
                logger.exception("outbox relay failed; retrying")

    def _loop(self, consumer: Consumer, stop: threading.Event, wait_seconds: int) -> None:
        while not stop.is_set():
            try:
                self.poll(consumer, wait_seconds)
            except Exception:
                if stop.is_set():
                    return
                logger.exception("pump for %s could not poll; retrying", consumer.name)
                stop.wait(1)


def _lambda_record(message: dict, queue_arn: str) -> dict:
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }
