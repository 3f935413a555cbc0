"""The event consumers: one SQS queue and one Lambda function each.

CONSUMERS maps each consumer's queue (logical name) to the event types it
handles; infra/ builds the queues and SNS filter policies from it, so the
subscription and the handler table cannot drift apart.
"""
from chalice import Blueprint

from chalicelib.config import resource_name
from chalicelib.consumers import search
from chalicelib.consumers.batch import process_batch

CONSUMERS = {
    "search": search.HANDLERS,
}

BATCH_SIZE = 10

consumers = Blueprint(__name__)


@consumers.on_sqs_message(queue=resource_name("search"), batch_size=BATCH_SIZE)
def search_indexer(event):
    return process_batch(event, CONSUMERS["search"])
