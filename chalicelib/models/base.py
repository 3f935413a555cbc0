from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException
from pynamodb.models import Model

from chalicelib.config import resource_name


def table_meta(logical_name: str):
    """A PynamoDB Meta for one of our tables, named for the current stage."""

    class Meta:
        table_name = resource_name(logical_name)
        logical = logical_name
        billing_mode = "PAY_PER_REQUEST"

    return Meta


@lru_cache(maxsize=1)
def connection() -> Connection:
    """PynamoDB's low-level connection, for what the models cannot say
    (a TransactWriteItems whose items keep their order: chalicelib/writes.py)."""
    return Connection()


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

__all__ = ["Model", "condition_failed", "connection", "index_meta", "stored_now", "table_meta"]
