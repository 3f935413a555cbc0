"""The event consumers (one SQS queue and one Lambda function each), and the
outbox relay.

CONSUMERS maps each consumer's queue (logical name) to the event types it
handles; infra/ builds the queues and SNS filter policies from it, so the
subscription and the handler table cannot drift apart. BUCKET_CONSUMERS are
fed by the media bucket's notifications instead of the events topic.
"""
from chalice import Blueprint

from chalicelib.config import resource_name
from chalicelib.consumers import cleanup, feed, follow_requests, hashtags, media, notifications, push, search, uploads
from chalicelib.consumers.batch import process_batch
from chalicelib.outbox import relay_pending

CONSUMERS = {
    "search": search.HANDLERS,
    "notifications": notifications.HANDLERS,
    "hashtags": hashtags.HANDLERS,
    "feed": feed.HANDLERS,
    "cleanup": cleanup.HANDLERS,
    "follow-requests": follow_requests.HANDLERS,
    "media": media.HANDLERS,
    "push": push.HANDLERS,
}
BUCKET_CONSUMERS = {
    "uploads": uploads.HANDLERS,
}

BATCH_SIZE = 10

consumers = Blueprint(__name__)


@consumers.on_sqs_message(queue=resource_name("search"), batch_size=BATCH_SIZE)
def search_indexer(event):
    return process_batch(event, CONSUMERS["search"], "search")


@consumers.on_sqs_message(queue=resource_name("notifications"), batch_size=BATCH_SIZE)
def notifier(event):
    return process_batch(event, CONSUMERS["notifications"], "notifications")


@consumers.on_sqs_message(queue=resource_name("hashtags"), batch_size=BATCH_SIZE)
def hashtag_indexer(event):
    return process_batch(event, CONSUMERS["hashtags"], "hashtags")


@consumers.on_sqs_message(queue=resource_name("feed"), batch_size=BATCH_SIZE)
def feed_fanout(event):
    return process_batch(event, CONSUMERS["feed"], "feed")


@consumers.on_sqs_message(queue=resource_name("cleanup"), batch_size=BATCH_SIZE)
def cleaner(event):
    return process_batch(event, CONSUMERS["cleanup"], "cleanup")


@consumers.on_sqs_message(queue=resource_name("follow-requests"), batch_size=BATCH_SIZE)
def request_approver(event):
    return process_batch(event, CONSUMERS["follow-requests"], "follow-requests")


@consumers.on_sqs_message(queue=resource_name("media"), batch_size=BATCH_SIZE)
def media_keeper(event):
    return process_batch(event, CONSUMERS["media"], "media")


@consumers.on_sqs_message(queue=resource_name("push"), batch_size=BATCH_SIZE)
def pusher(event):
    return process_batch(event, CONSUMERS["push"], "push")


# One upload a batch: decoding a photo takes most of a second and a few
# hundred MB, so a batch of ten could outlast its visibility timeout.
@consumers.on_sqs_message(queue=resource_name("uploads"), batch_size=1)
def upload_processor(event):
    return process_batch(event, BUCKET_CONSUMERS["uploads"], "uploads", parse=uploads.upload_completed)


@consumers.schedule("rate(1 minute)")
def outbox_relay(event):
    """Publishes the events whose publish did not follow their commit."""
    return {"relayed": relay_pending()}
