"""The event consumers, each declared once, and the outbox relay.

A consumer's declaration names its queue, its Lambda function, the event
types it handles (its module's HANDLERS) and what its code touches. From
it come its Lambda handler (below), its queue, dead-letter queue and SNS
filter policy (infra/resources.py), its wiring in the template
(infra/cloudformation.py) and its IAM policy (infra/policies.py); a test
(tests/integration/test_consumer_access.py) fails when a consumer touches a
table it does not declare, or declares one it never touches. Adding a
consumer is adding one declaration here.
"""
from chalice import Blueprint

from chalicelib import media_files
from chalicelib.config import resource_name
from chalicelib.consumers import (
    cleanup,
    erasure,
    exports,
    feed,
    follow_requests,
    hashtags,
    mail,
    media,
    notifications,
    push,
    search,
    uploads,
)
from chalicelib.consumers.batch import BUCKET, READ, WRITE, Consumer
from chalicelib.outbox import relay_pending

# What a command run by a consumer writes besides its own tables.
_COMMANDS = {"outbox": WRITE}

CONSUMERS = (
    Consumer("search", "search_indexer", search.HANDLERS, tables={"users": READ, "search": WRITE}),
    # Each new notification is announced (notification.created, for push) through the outbox.
    Consumer("notifications", "notifier", notifications.HANDLERS, publishes=True, tables={
        "users": READ, "posts": READ, "likes": READ, "comments": READ, "follows": READ, "follow-requests": READ,
        "blocks": READ, "read-marks": READ, "unique-keys": WRITE, "notifications": WRITE, **_COMMANDS}),
    Consumer("hashtags", "hashtag_indexer", hashtags.HANDLERS, publishes=True, tables={
        "users": READ, "posts": READ, "hashtags": WRITE, "hashtag-posts": WRITE}),
    Consumer("feed", "feed_fanout", feed.HANDLERS, publishes=True, tables={
        "users": WRITE, "posts": READ, "stories": READ, "follows": READ, "feed": WRITE, "story-feed": WRITE,
        "large-follows": WRITE}),
    Consumer("cleanup", "cleaner", cleanup.HANDLERS, tables={"marks": WRITE, "comments": WRITE}),
    Consumer("follow-requests", "request_approver", follow_requests.HANDLERS, publishes=True, tables={
        "users": WRITE, "follow-requests": WRITE, "follows": WRITE, **_COMMANDS}),
    Consumer("media", "media_keeper", media.HANDLERS, tables={"media": WRITE},
             files={media_files.RENDITIONS_PREFIX: ("s3:PutObjectTagging", "s3:DeleteObject")}),
    # One upload a batch: decoding a photo takes most of a second and a few
    # hundred MB, so a batch of ten could outlast its visibility timeout.
    Consumer("uploads", "upload_processor", uploads.HANDLERS, fed_by=BUCKET, parse=uploads.upload_completed,
             batch_size=1, publishes=True, tables={"media": WRITE, **_COMMANDS},
             files={media_files.UPLOADS_PREFIX: ("s3:GetObject", "s3:DeleteObject"),
                    media_files.RENDITIONS_PREFIX: ("s3:PutObject", "s3:PutObjectTagging")}),
    # Its mail of a ready export carries a link signed with its own right to read it.
    Consumer("mail", "mailer", mail.HANDLERS, sends_mail=True, tables={
        "users": READ, "unique-keys": READ, "exports": WRITE, "account-tokens": WRITE},
             files={media_files.EXPORTS_PREFIX: ("s3:GetObject",)}),
    # Posting to connections is granted by the template, on the stage's WebSocket API only.
    Consumer("push", "pusher", push.HANDLERS, tables={
        "messages": READ, "notifications": READ, "blocks": READ, "connections": WRITE}),
    # One record a batch: each is a chunk of a deleted account's erasure, whose
    # commands write what they count and the outbox.
    Consumer("erasure", "eraser", erasure.HANDLERS, batch_size=1, publishes=True, tables={
        "users": WRITE, "posts": WRITE, "likes": WRITE, "comments": WRITE, "marks": WRITE, "follows": WRITE,
        "follow-requests": WRITE, "blocks": WRITE, "stories": WRITE, "notifications": WRITE,
        "unique-keys": WRITE, "conversations": WRITE, "read-marks": WRITE, "large-follows": WRITE,
        "feed": WRITE, "story-feed": WRITE, "exports": WRITE, "account-tokens": WRITE,
        **_COMMANDS}, files={media_files.EXPORTS_PREFIX: ("s3:DeleteObject",)}),
    # One export a batch: it reads a whole account.
    Consumer("exports", "exporter", exports.HANDLERS, batch_size=1, publishes=True, tables={
        "users": READ, "posts": READ, "comments": READ, "marks": READ, "follows": READ, "blocks": READ,
        "stories": READ, "messages": READ, "conversations": READ, "exports": WRITE, **_COMMANDS},
             files={media_files.RENDITIONS_PREFIX: ("s3:GetObject",), media_files.EXPORTS_PREFIX: ("s3:PutObject",)}),
)
BY_NAME = {consumer.name: consumer for consumer in CONSUMERS}

consumers = Blueprint(__name__)


def _lambda_handler(consumer: Consumer):
    def handler(event):
        return consumer(event)

    # Chalice names the function's handler "chalicelib.consumers.<name>",
    # and Lambda looks that attribute up in this module.
    handler.__name__ = handler.__qualname__ = consumer.function
    return consumers.on_sqs_message(queue=resource_name(consumer.name), batch_size=consumer.batch_size,
                                    name=consumer.function)(handler)


for _consumer in CONSUMERS:
    globals()[_consumer.function] = _lambda_handler(_consumer)


@consumers.schedule("rate(1 minute)")
def outbox_relay(event):
    """Publishes the events whose publish did not follow their commit."""
    return {"relayed": relay_pending()}
