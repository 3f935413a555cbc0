"""The one way commands write: a TransactWriteItems with the command's event
in the outbox, retried on a fresh read when it lost a race.

    @command("create the post")
    def create_post(writes: Writes, author: User, content: str) -> Post:
        post = Post(new_id(), ...)
        writes.put(post, condition=Post.post_id.does_not_exist())             # a clash: try again
        writes.update(User(author.user_id), [User.post_count.add(1)],
                      condition=User.user_id.exists(), otherwise=Unauthorized(NO_SUCH_USER))
        writes.publish(PostCreated(post_id=post.post_id, author_id=author.user_id))
        return post

Each item says what its failed condition means (`otherwise`): RETRY (the
default: run the command again, which reads the current state and decides
again), a domain error to raise, SKIP (leave the item out and commit the
rest) or NOTHING_TO_DO (the change is already there: write and publish
nothing). DynamoDB returns one cancellation reason per item, in the order
the items were sent; they are sent in the order the command added them, so
each reason goes back to its own item. A transaction cancelled only because
another one touched the same items at that moment (TransactionConflict)
also runs again. Every run after the first waits a jittered, growing
moment, so that the other writer can finish; after ATTEMPTS runs the answer
is Busy, a 503 with Retry-After: the contention is the server's, and a 4xx
would tell clients and SDKs not to retry.
"""
from __future__ import annotations

import functools
import random
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from pynamodb.connection.base import BOTOCORE_EXCEPTIONS
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model

from chalicelib import metrics, outbox
from chalicelib.errors import Busy, DomainError
from chalicelib.events import Event, Payload
from chalicelib.models.base import connection

ATTEMPTS = 4
# The first retry waits up to 10 ms, the next up to 20, then 40.
BACKOFF_SECONDS = 0.005

CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"


class _Meaning:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


RETRY = _Meaning("RETRY")
SKIP = _Meaning("SKIP")
NOTHING_TO_DO = _Meaning("NOTHING_TO_DO")
Otherwise = _Meaning | DomainError


@dataclass
class Item:
    """One item of a transaction, as sent, and what its failed condition means."""

    operation: dict
    otherwise: Otherwise = RETRY


@dataclass
class Writes:
    """What one run of a command writes, and the event it publishes."""

    items: list[Item] = field(default_factory=list)
    event: Event | None = None

    def put(self, model: Model, condition=None, *, otherwise: Otherwise = RETRY) -> None:
        self._add("Put", model.get_save_kwargs_from_instance(condition=condition), otherwise)

    def update(self, model: Model, actions: list, condition=None, *, otherwise: Otherwise = RETRY) -> None:
        self._add("Update", model.get_update_kwargs_from_instance(actions=actions, condition=condition), otherwise)

    def delete(self, model: Model, condition=None, *, otherwise: Otherwise = RETRY) -> None:
        self._add("Delete", model.get_delete_kwargs_from_instance(condition=condition), otherwise)

    def check(self, model: type[Model], hash_key, range_key=None, *, condition, otherwise: Otherwise) -> None:
        """A condition on an item that the transaction does not change."""
        self._add("ConditionCheck", model.get_operation_kwargs_from_class(hash_key, range_key=range_key,
                                                                          condition=condition), otherwise)

    def publish(self, payload: Payload) -> None:
        """The command's event: stored in the outbox with the items, published once they are committed."""
        if self.event is not None:
            raise ValueError("a command publishes one event")
        self.event = Event(payload)

    def _add(self, kind: str, operation: dict, otherwise: Otherwise) -> None:
        self.items.append(Item({kind: operation}, otherwise))


def decision(items: Sequence[Item], codes: Sequence[str | None]) -> Otherwise | None:
    """What a cancelled transaction means, from each item's cancellation
    code (by position in what was sent, which is the items' own order):

    - the first item whose failed condition does not say SKIP decides;
    - if only SKIP items failed, SKIP (commit without them);
    - if nothing failed but another transaction interfered, RETRY;
    - otherwise None: not a cancellation we understand, so the error stands.
    """
    failed = [item for item, code in zip(items, codes) if code == CONDITION_FAILED]
    deciding = [item for item in failed if item.otherwise is not SKIP]
    if deciding:
        return deciding[0].otherwise
    if failed:
        return SKIP
    if TRANSACTION_CONFLICT in codes:
        return RETRY
    return None


def command(doing: str):
    """Makes a command of `run(writes, *args)`: each run adds its items and
    event to a fresh Writes, which are then committed; see the module's
    docstring for what a failed condition does. `doing` completes "Could not
    ... right now, please retry"."""

    def decorator(run: Callable[..., Any]):
        @functools.wraps(run)
        def committed(*args, **kwargs):
            for attempt in range(ATTEMPTS):
                if attempt:
                    time.sleep(random.uniform(0, BACKOFF_SECONDS * 2**attempt))
                writes = Writes()
                result = run(writes, *args, **kwargs)
                if _commit(writes) is not RETRY:
                    return result
            raise Busy(f"Could not {doing} right now, please retry")

        return committed

    return decorator


def _commit(writes: Writes) -> Otherwise | None:
    """Sends the items (and the outbox entry): None once committed, or RETRY
    or NOTHING_TO_DO; raises the domain error an item names."""
    entry = outbox.new_entry(writes.event) if writes.event else None
    items = list(writes.items)
    if entry is not None:
        items.append(Item(entry.operation, RETRY))
    while True:
        try:
            _send(items)
        except TransactWriteError as error:
            codes = [reason.code if reason else None for reason in error.cancellation_reasons or []]
            meaning = decision(items, codes)
            if meaning is SKIP:
                items = [item for item, code in zip(items, codes)
                         if not (item.otherwise is SKIP and code == CONDITION_FAILED)]
                continue
            if isinstance(meaning, DomainError):
                raise meaning from error
            if meaning is None:
                raise
            return meaning
        break
    if entry is not None:
        # One metric for all types: a custom metric per event type would cost
        # $0.30 a month each; the publisher's log line names the type.
        metrics.count("EventsPublished")
        outbox.publish_and_clear(entry)
    return None


def _send(items: Sequence[Item]) -> None:
    try:
        connection().dispatch("TransactWriteItems", {"TransactItems": [item.operation for item in items]})
    except BOTOCORE_EXCEPTIONS as error:
        raise TransactWriteError("Failed to write transaction items", error) from error
