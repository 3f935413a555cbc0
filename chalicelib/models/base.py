import random
import time
from functools import lru_cache, wraps

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import resource_name
from chalicelib.errors import Conflict


def table_meta(logical_name: str):
    """A PynamoDB Meta for one of our tables, named for the current stage."""

    class Meta:
        table_name = resource_name(logical_name)
        logical = logical_name
        billing_mode = "PAY_PER_REQUEST"

    return Meta


@lru_cache(maxsize=1)
def _connection() -> Connection:
    return Connection()


def transaction() -> TransactWrite:
    """A TransactWrite: every item in it changes, or none does."""
    return TransactWrite(connection=_connection())





# Why a TransactWrite item was cancelled.
CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"


_CONFLICT_ATTEMPTS = 4


def retried_on_conflict(command):
    """Runs command again when DynamoDB cancelled its transaction only because
    another transaction touched the same item at the same moment (two taps
    on "read all", a follow updating the same user's counters); nothing was
    written, so running it again is safe. After a few tries: Conflict, a 400
    that asks to retry, never a 5xx."""

    @wraps(command)
    def retried(*args, **kwargs):
        for attempt in range(_CONFLICT_ATTEMPTS):
            if attempt:
                # Let the other transaction finish: 0-10 ms, then 0-20, 0-40.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))
            try:
                return command(*args, **kwargs)
            except TransactWriteError as error:
                codes = {reason.code for reason in error.cancellation_reasons or [] if reason}
                if TRANSACTION_CONFLICT not in codes or CONDITION_FAILED in codes:
                    raise
        raise Conflict("Could not save the change right now, please retry")

    return retried


def cancellation_codes(error: TransactWriteError, count: int) -> list[str | None]:
    """The cancellation code of each item, in the order DynamoDB received
    them: PynamoDB sends a transaction's deletes, then puts, then updates."""
    codes = [reason.code if reason else None for reason in error.cancellation_reasons or []]
    return (codes + [None] * count)[:count]


def condition_failed(error: PynamoDBException) -> bool:
    """A single-item write was refused by its condition."""
    return error.cause_response_code == "ConditionalCheckFailedException"


def stored_now(model, *key):
    """The item as stored now, or None. Strongly consistent: consumers decide
    by it, and an event can arrive milliseconds after the write it announces,
    when an eventually consistent read could still miss (or show) it."""
    try:
        return model.get(*key, consistent_read=True)
    except model.DoesNotExist:
        return None


def index_meta(index_name: str, projection):
    class Meta:
        pass

    Meta.index_name = index_name
    Meta.projection = projection()
    return Meta

__all__ = ["Model", "cancellation_codes", "condition_failed", "index_meta", "stored_now", "table_meta",
           "transaction"]
