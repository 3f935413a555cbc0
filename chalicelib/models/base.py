from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.config import resource_name


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





def index_meta(index_name: str, projection):
    class Meta:
        pass

    Meta.index_name = index_name
    Meta.projection = projection()
    return Meta
__all__ = ["Model", "index_meta", "table_meta", "transaction"]
