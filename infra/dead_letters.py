"""Operating the dead-letter queues.

    make dead-letters          # how many messages each dead-letter queue holds
    make redrive               # move them all back to their consumer queues
    make redrive QUEUE=feed    # only one consumer's

Move messages back only once the cause is fixed (a deployed bug fix, a table
that exists again): they are retried from scratch, maxReceiveCount times.
"""
from __future__ import annotations

import argparse

import boto3

from infra import resources


def _url(sqs, name: str) -> str:
    return sqs.get_queue_url(QueueName=name)["QueueUrl"]


def counts(sqs=None) -> dict[str, int]:
    sqs = sqs or boto3.client("sqs")
    result = {}
    for queue in resources.consumer_queues():
        attributes = sqs.get_queue_attributes(
            QueueUrl=_url(sqs, queue.dead_letter_name),
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        result[queue.logical_name] = sum(int(value) for value in attributes.values())
    return result


def redrive(consumer: str | None = None, sqs=None) -> dict[str, int]:
    """Moves every dead letter back to its consumer's queue; returns how many
    moved per consumer. A message is deleted from the dead-letter queue only
    after it was sent to the consumer queue, so a crash duplicates rather
    than loses (consumers are idempotent)."""
    sqs = sqs or boto3.client("sqs")
    moved = {}
    for queue in resources.consumer_queues():
        if consumer and queue.logical_name != consumer:
            continue
        source, target = _url(sqs, queue.dead_letter_name), _url(sqs, queue.name)
        moved[queue.logical_name] = 0
        while True:
            messages = sqs.receive_message(
                QueueUrl=source, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60,
            ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                sqs.send_message(QueueUrl=target, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=source, ReceiptHandle=message["ReceiptHandle"])
                moved[queue.logical_name] += 1
    return moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["counts", "redrive"])
    parser.add_argument("--queue", help="one consumer (e.g. feed); default: all")
    arguments = parser.parse_args()
    result = counts() if arguments.command == "counts" else redrive(arguments.queue)
    for name, number in result.items():
        print(f"{name}: {number}")


if __name__ == "__main__":
    main()
