"""The embedded AWS of `make run` (and so of `make bench`): moto, keeping
DynamoDB's promises under concurrency, at DynamoDB's costs.

The provisioner runs in the same process as moto and calls it in-process
(`mock_aws`): no HTTP hop, no socket. The worker processes (the API's and
the event pump's) hand their calls, as botocore prepared them, to that
process's moto over a local connection (`MotoForWorkers`). Outside tools
(the aws CLI, `make dead-letters`, anything given AWS_ENDPOINT_URL) reach
the same backends over HTTP. Every call, in-process, from a worker or over
HTTP, takes the one lock of infra/one_at_a_time.py.

This module also patches moto's internals, for speed only (the test suite
runs on stock moto, and a test compares the patched answers with stock
moto's): it is written against one moto release, MOTO_VERSION, and refuses
any other (docs/moto-upgrade.md says what an upgrade takes). Under the lock,
moto's DynamoDB is made to cost what DynamoDB's does, by the items a call
touches rather than by the size of its table (`dynamodb_costs_bounded`): a
Query on a table reads one partition (one on an index still goes through
the table, but without sorting it first), a TransactWriteItems keeps copies
of the items it writes, not of every table it touches, to undo a cancelled
transaction, and items (already in DynamoDB's JSON) are sent as they are
rather than walked through botocore's model one attribute at a time.
"""
from __future__ import annotations

from importlib.metadata import version

# The moto whose private names this module replaces; requirements-dev.in pins it.
MOTO_VERSION = "5.2.5"


def check_moto_version(installed: str | None = None) -> None:
    """Refuses, naming the moto needed, any moto but the one this module was
    written against: its internals change without notice between releases."""
    installed = installed or version("moto")
    if installed != MOTO_VERSION:
        raise RuntimeError(
            f"the embedded AWS (infra/local_aws.py) patches moto {MOTO_VERSION}'s internals, but moto {installed} "
            f"is installed: run `make .venv/.installed` to install moto {MOTO_VERSION} from the lock file, or see "
            "docs/moto-upgrade.md to move the patches to another moto")


# Before importing moto's internals, which another release may not even have.
check_moto_version()

import contextlib
import copy
import datetime
import functools
import inspect
import json
import logging
import pickle
import queue
import threading
import time
from decimal import Decimal
from multiprocessing import AuthenticationError, current_process
from multiprocessing.connection import Client, Listener, Pipe, wait

from botocore.awsrequest import AWSPreparedRequest
from botocore.compat import HTTPHeaders
from botocore.signers import RequestSigner
from moto import mock_aws
from moto.core import responses as core_responses
from moto.core.models import botocore_stubber
from moto.core.utils import camelcase_to_underscores, method_names_from_class, unix_time
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.sqs import models as sqs_models
from werkzeug.serving import make_server

from infra.one_at_a_time import (
    UNSERIALISED_TARGETS,
    OneAtATime,
    SerialisedApp,
    in_process_calls_serialised,
    target_of,
)

logger = logging.getLogger("local_aws")

# DynamoDB calls answered in-process, per thread: what a request of `make
# run` reports in its X-DynamoDB-Calls header (infra/local_api.py).
_dynamodb_calls = threading.local()


def dynamodb_calls_counted(start: bool = False) -> int:
    """DynamoDB calls this thread made since it last started counting."""
    counted = getattr(_dynamodb_calls, "count", 0)
    if start:
        _dynamodb_calls.count = 0
    return counted


def _answered_in_turn(one_at_a_time: OneAtATime):
    """What answers a worker's call: in-process moto, in turn with every other call."""
    answer = botocore_stubber.process_request

    def answer_in_turn(request):
        with one_at_a_time.turn(request.headers.get("X-Amz-Target")):
            return answer(request)

    return answer_in_turn


class MotoForWorkers:
    """Answers the botocore calls of this process's workers
    (`calls_answered_by_parent`) with answer, the function that answers its
    own: in-process moto, in turn with every other call. A request crosses
    as botocore prepared it and the answer as moto made it, so nothing
    parses HTTP; over moto's HTTP server, the serving alone cost three times
    the call.

    One thread answers every connection, a call from each in turn: with a
    thread per connection, each call also paid for waking its thread and for
    handing the lock and the interpreter lock between a dozen threads (over
    half of this process's samples, under the throughput bench). Only SQS
    long polls, which wait for messages rather than work, are answered on
    threads of their own, which then hand their connection back."""

    def __init__(self, answer):
        self._answer_here = answer
        # A Unix socket (a named pipe on Windows), answering only processes
        # that know this one's authkey, which multiprocessing gives its children.
        self._listener = Listener(backlog=64, authkey=current_process().authkey)
        self.address = self._listener.address
        # Connections for the answering thread to watch: new ones, and those
        # back from a long poll; a message on the pipe says there are some.
        self._handed_over = queue.SimpleQueue()
        self._woken, self._wake_up = Pipe(duplex=False)
        self._waking = threading.Lock()
        self._threads = [
            threading.Thread(target=self._accept, name="moto-for-workers-accept", daemon=True),
            threading.Thread(target=self._answer_all, name="moto-for-workers", daemon=True),
        ]

    def start(self) -> "MotoForWorkers":
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._listener.close()
        with self._waking:
            self._wake_up.close()

    def _accept(self) -> None:
        while True:
            try:
                connection = self._listener.accept()
            except AuthenticationError:
                continue
            except OSError:
                return  # stopped
            self._hand_over(connection)

    def _hand_over(self, connection) -> None:
        with self._waking:
            if self._wake_up.closed:
                connection.close()  # stopped
                return
            self._handed_over.put(connection)
            self._wake_up.send_bytes(b"")

    def _answer_all(self) -> None:
        watched = []
        try:
            while True:
                for ready in wait([self._woken, *watched]):
                    if ready is self._woken:
                        self._woken.recv_bytes()  # EOFError once stopped
                        while not self._handed_over.empty():
                            watched.append(self._handed_over.get())
                        continue
                    watched.remove(ready)
                    try:
                        self._take_call(ready, watched)
                    except Exception as error:
                        # The worker's thread is gone (EOFError), or it sent what
                        # no worker sends: its caller gets an EOFError rather
                        # than waiting forever, and everyone else goes on.
                        if not isinstance(error, EOFError):
                            logger.exception("the embedded AWS dropped a worker's connection")
                        ready.close()
        except (EOFError, OSError):
            pass  # stopped
        finally:
            while not self._handed_over.empty():
                watched.append(self._handed_over.get())
            for connection in watched:
                connection.close()

    def _take_call(self, connection, watched: list) -> None:
        request = _prepared(pickle.loads(connection.recv_bytes()))
        if target_of(request.headers.get("X-Amz-Target")) in UNSERIALISED_TARGETS:
            threading.Thread(target=self._answer_long_poll, args=(connection, request), name="moto-long-poll",
                             daemon=True).start()
        elif self._answer(connection, request):
            watched.append(connection)
        else:
            connection.close()

    def _answer_long_poll(self, connection, request: AWSPreparedRequest) -> None:
        if self._answer(connection, request):
            self._hand_over(connection)
        else:
            connection.close()

    def _answer(self, connection, request: AWSPreparedRequest) -> bool:
        """Answers one call; False if its caller is gone."""
        try:
            answer = self._answer_here(request)
            if answer is not None:
                status, answer_headers, answer_body = answer
                answer = status, dict(answer_headers), answer_body
            reply = pickle.dumps(answer)
        except Exception as error:
            # The call fails for its caller only.
            logger.exception("the embedded AWS failed a worker's %s",
                             request.headers.get("X-Amz-Target", request.url))
            reply = pickle.dumps(RuntimeError(f"the embedded AWS failed: {error!r}"))
        try:
            connection.send_bytes(reply)
        except OSError:
            return False
        return True


def _prepared(call: tuple) -> AWSPreparedRequest:
    """A worker's call, as botocore prepared it there (calls_answered_by_parent)."""
    method, url, headers, body = call
    prepared_headers = HTTPHeaders()
    for name, value in headers:
        prepared_headers[name] = value
    return AWSPreparedRequest(method, url, prepared_headers, body, stream_output=False)


@contextlib.contextmanager
def calls_answered_by_parent(address):
    """While inside (and inside mock_aws), every botocore call of this
    process is answered by its parent's moto, listening at address
    (MotoForWorkers). Each thread has a connection of its own."""
    connections = threading.local()

    def answer_there(request):
        connection = getattr(connections, "connection", None)
        if connection is None:
            connection = connections.connection = Client(address, authkey=current_process().authkey)
        body = request.body.read() if hasattr(request.body, "read") else request.body
        # Plain pickle: multiprocessing's own pickler costs more to set up than
        # most calls take to pickle.
        connection.send_bytes(pickle.dumps((request.method, request.url, list(request.headers.items()), body)))
        answer = pickle.loads(connection.recv_bytes())
        if isinstance(answer, Exception):
            raise answer
        return answer

    with _calls_answered_by(answer_there), _sent_unsigned():
        yield


@contextlib.contextmanager
def _sent_unsigned():
    """While inside, botocore does not sign the DynamoDB requests it sends:
    moto checks no signature there, and signing (SigV4: a canonical request,
    its hash, four HMACs) was about a seventh of an API worker's time, most
    of its calls being DynamoDB's. (moto's S3 refuses an unsigned request to
    a private bucket, so everything else is signed as ever.)"""
    sign = RequestSigner.sign

    def sign_but_dynamodb(signer, operation_name, request, region_name=None, signing_type="standard",
                          *args, **kwargs):
        if signing_type == "standard" and signer.signing_name == "dynamodb":
            return
        return sign(signer, operation_name, request, region_name, signing_type, *args, **kwargs)

    RequestSigner.sign = sign_but_dynamodb
    try:
        yield
    finally:
        RequestSigner.sign = sign


@contextlib.contextmanager
def _calls_answered_by(answer):
    """While inside, mock_aws hands every botocore call of this process to
    answer, and each thread counts its DynamoDB calls."""
    original = botocore_stubber.process_request

    def counted(request):
        target = request.headers.get("X-Amz-Target")
        if (target_of(target) or "").startswith("DynamoDB_"):
            _dynamodb_calls.count = getattr(_dynamodb_calls, "count", 0) + 1
        return answer(request)

    botocore_stubber.process_request = counted
    try:
        yield
    finally:
        botocore_stubber.process_request = original


@contextlib.contextmanager
def dynamodb_costs_bounded():
    """While inside, moto's Query on a table (not an index) looks at the
    queried partition only, and TransactWriteItems undoes a cancelled
    transaction from copies of its own items. moto otherwise goes through
    every item of the table for each Query, and deep-copies every table a
    transaction touches: at a few thousand items, that is tens to hundreds of
    milliseconds per call, under a lock every other call waits for. Only for
    calls made one at a time (the copies are restored in place)."""
    query, transact = Table.query, DynamoDBBackend.transact_write_items
    query_arguments = inspect.signature(query)

    def query_one_partition(table, *args, **kwargs):
        arguments = query_arguments.bind(table, *args, **kwargs).arguments
        if arguments.get("index_name") is not None:
            return query(_OneIndexPartition(table, arguments.get("hash_key_conditions") or []), *args, **kwargs)
        return query(_OnePartition(table, arguments["hash_key"]), *args, **kwargs)

    def transact_undoing_items(backend, transact_items):
        before = [_item_as_stored(backend, operation) for operation in transact_items]
        try:
            return transact(backend, transact_items)
        except Exception:
            for table, key, item in before:
                _restore(table, key, item)
            raise

    def items_as_they_are(result: DynamoResult, context):
        if context.operation_model.name not in _ITEM_OPERATIONS:
            return serialise(result, context)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(result.result)

    serialise = DynamoResult.execute_result
    Table.query, DynamoDBBackend.transact_write_items = query_one_partition, transact_undoing_items
    DynamoResult.execute_result = items_as_they_are
    # moto's own undo: a deep copy of each table, which this makes the table itself.
    dynamodb_models.copy = _TablesNotCopied
    try:
        yield
    finally:
        Table.query, DynamoDBBackend.transact_write_items = query, transact
        DynamoResult.execute_result = serialise
        dynamodb_models.copy = copy


# Whose results are items and counts, already in DynamoDB's JSON, with no
# timestamps or other values botocore's model would have to convert (a test
# checks that both ways give the same answer: tests/unit/test_local_aws.py).
_ITEM_OPERATIONS = frozenset({
    "GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
    "TransactWriteItems", "TransactGetItems",
})


class _OnePartition:
    """A table whose all_items() is one partition, for Table.query."""

    def __init__(self, table: Table, hash_key: DynamoType):
        self._table = table
        self._hash_key = hash_key

    def __getattr__(self, name: str):
        return getattr(self._table, name)

    def all_items(self) -> list:
        partition = self._table.items.get(self._hash_key)
        if partition is None:
            return []
        return list(partition.values()) if self._table.range_key_attr else [partition]


class _OneIndexPartition(_OnePartition):
    """A table whose all_items() is the items of one partition of an index.
    They are still found by going through the whole table (moto keeps no
    index), but not sorted first (moto's all_items() sorts the whole table,
    comparing DynamoTypes, each comparison making two Decimals, before the
    query sorts its own items again), and compared as raw values. moto then
    checks each item again, so this only has to keep every item moto would."""

    def __init__(self, table: Table, hash_conditions: list[tuple[str, DynamoType]]):
        self._table = table
        self._wanted = [(name, value.type, _comparable(value.type, value.value)) for name, value in hash_conditions]

    def all_items(self) -> list:
        table = self._table
        items = (item for partition in table.items.values()
                 for item in (partition.values() if table.range_key_attr else [partition]))
        return [item for item in items if all(
            (found := item.attrs.get(name)) is not None and found.type == kind
            and _comparable(kind, found.value) == wanted
            for name, kind, wanted in self._wanted
        )]


def _comparable(kind: str, value):
    """What DynamoType compares for equality (cast_value), for a key's types."""
    return Decimal(value) if kind == "N" else value


class _TablesNotCopied:
    @staticmethod
    def deepcopy(value):
        return value if isinstance(value, Table) else copy.deepcopy(value)


def _item_as_stored(backend: DynamoDBBackend, operation: dict):
    """(table, key, a copy of the item or None) for one transaction item."""
    details = next(iter(operation.values()))
    table = backend.tables.get(details.get("TableName"))
    if table is None:
        return None, None, None
    attributes = details.get("Key") or details.get("Item") or {}
    key = {name: attributes[name] for name in (table.hash_key_attr, table.range_key_attr) if name in attributes}
    if len(key) != (2 if table.range_key_attr else 1):
        return None, None, None  # malformed: moto refuses it before writing anything
    item = backend.get_item(table.name, key)
    return table, key, copy.deepcopy(item) if item is not None else None


def _restore(table: Table | None, key: dict | None, item) -> None:
    if table is None:
        return
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    if item is None:
        table.delete_item(hash_key, range_key)
    else:
        table.put_item(item.to_json()["Attributes"])


@contextlib.contextmanager
def per_call_overhead_trimmed():
    """While inside, moto does less of the same work again on every call:
    the names of a response class's methods (moto lists them with
    inspect.getmembers to route each call), the snake_case of a name, and the
    retention period an SQS receive checks for each message (moto builds all
    of the queue's attributes three times for it, counting its messages
    each time), and SQS's clock: moto reads the time as a datetime
    subtracted from the epoch's, about 9 µs, several times for every message
    of a queue on each send and receive, where time.time() takes 0.1 µs.
    A few percent of every call each; the answers are the same."""
    responses_names, responses_snake = core_responses.method_names_from_class, core_responses.camelcase_to_underscores
    sqs_snake = sqs_models.camelcase_to_underscores
    retained = sqs_models.SQSBackend.is_message_valid_based_on_retention_period
    sqs_clock = sqs_models.unix_time, sqs_models.unix_time_millis
    snake = functools.cache(camelcase_to_underscores)
    core_responses.method_names_from_class = functools.cache(lambda cls: frozenset(method_names_from_class(cls)))
    core_responses.camelcase_to_underscores = sqs_models.camelcase_to_underscores = snake
    sqs_models.SQSBackend.is_message_valid_based_on_retention_period = _within_retention_period
    sqs_models.unix_time, sqs_models.unix_time_millis = _unix_time, _unix_time_millis
    try:
        yield
    finally:
        core_responses.method_names_from_class = responses_names
        core_responses.camelcase_to_underscores = responses_snake
        sqs_models.camelcase_to_underscores = sqs_snake
        sqs_models.SQSBackend.is_message_valid_based_on_retention_period = retained
        sqs_models.unix_time, sqs_models.unix_time_millis = sqs_clock


def _within_retention_period(backend: sqs_models.SQSBackend, queue_name: str, message) -> bool:
    retention_period = backend.get_queue(queue_name).message_retention_period
    return retention_period + message.sent_timestamp / 1000 > sqs_models.unix_time()


def _unix_time(dt: datetime.datetime | None = None) -> float:
    return time.time() if dt is None else unix_time(dt)


def _unix_time_millis(dt: datetime.datetime | None = None) -> float:
    return _unix_time(dt) * 1000.0


class _NoDelayHandler(MotoRequestHandler):
    # Headers and body leave in separate writes: with Nagle's algorithm on, a
    # keep-alive client (botocore pools its connections) waits ~40 ms for
    # its delayed ACK on every request.
    disable_nagle_algorithm = True


class LocalAws:
    """moto in this process, for this process's calls, its workers' (at
    worker_address) and on host:port for everyone else's."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5000):
        one_at_a_time = OneAtATime()
        app = SerialisedApp(DomainDispatcherApplication(create_backend_app), one_at_a_time)
        self._server = make_server(host, port, app, threaded=True, request_handler=_NoDelayHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="moto", daemon=True)
        self._one_at_a_time = one_at_a_time
        self._in_process = contextlib.ExitStack()
        self._for_workers = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def worker_address(self):
        return self._for_workers.address if self._for_workers else None

    def start(self) -> "LocalAws":
        self._in_process.enter_context(mock_aws())
        self._in_process.enter_context(in_process_calls_serialised(self._one_at_a_time))
        self._in_process.enter_context(dynamodb_costs_bounded())
        self._in_process.enter_context(per_call_overhead_trimmed())
        self._thread.start()
        self._for_workers = MotoForWorkers(_answered_in_turn(self._one_at_a_time)).start()
        return self

    def stop(self) -> None:
        if self._for_workers:
            self._for_workers.stop()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._in_process.close()
