"""The one lock that keeps moto's DynamoDB as atomic as DynamoDB.

moto's backends take no locks: two concurrent TransactWriteItems could both
pass their conditions. So every call into them, in-process or over HTTP,
runs under one lock (`OneAtATime`), except SQS long polls, which only wait
for messages and would otherwise stall everything for a second each.

This module uses only public seams and works on stock moto: botocore's
event system (the way mock_aws itself answers botocore's calls) and moto's
WSGI app. The test suite runs on it alone; `make run` and `make bench` add
the cost patches of infra/local_aws.py on top.
"""
from __future__ import annotations

import collections
import contextlib
import io
import threading

from botocore import handlers
from werkzeug.wsgi import get_input_stream

UNSERIALISED_TARGETS = {"AmazonSQS.ReceiveMessage"}


def target_of(header: str | bytes | None) -> str | None:
    return header.decode() if isinstance(header, bytes) else header


class OneAtATime:
    """The lock every call into moto's backends takes."""

    def __init__(self):
        self._lock = _FirstComeFirstServed()

    def turn(self, target: str | bytes | None):
        """Held while one call with this X-Amz-Target runs."""
        return contextlib.nullcontext() if target_of(target) in UNSERIALISED_TARGETS else self._lock


class _FirstComeFirstServed:
    """A lock taken in the order it was asked for. With a plain Lock, a
    thread that had just asked often got it before one that had waited for
    seconds: a call's wait had no bound."""

    def __init__(self):
        self._guard = threading.Lock()
        self._waiting = collections.deque()
        self._held = False

    def __enter__(self):
        with self._guard:
            if not self._held:
                self._held = True
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder, who hands the lock over
        return self

    def __exit__(self, *exc_info) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._held = False


class SerialisedApp:
    """moto's WSGI app, one request at a time."""

    def __init__(self, app, one_at_a_time: OneAtATime):
        self._app = app
        self._one_at_a_time = one_at_a_time

    def __call__(self, environ, start_response):
        # The request's body is read before the lock is taken: a slow client
        # (a large upload, one waiting for 100-continue) must not hold up
        # every other call.
        environ["wsgi.input"] = io.BytesIO(get_input_stream(environ).read())
        with self._one_at_a_time.turn(environ.get("HTTP_X_AMZ_TARGET")):
            # Consume the response while holding the lock: the backend does
            # its work while the response is produced.
            return list(self._app(environ, start_response))


class _InTurn:
    """A botocore before-send handler (mock_aws's, which answers a call
    in-process), run under the lock while one is given."""

    def __init__(self, handler):
        self.handler = handler
        self.one_at_a_time: OneAtATime | None = None

    def __call__(self, request, **kwargs):
        one_at_a_time = self.one_at_a_time
        if one_at_a_time is None:
            return self.handler(request=request, **kwargs)
        with one_at_a_time.turn(request.headers.get("X-Amz-Target")):
            return self.handler(request=request, **kwargs)


def sessions_answer_in_turn() -> list[_InTurn]:
    """Every botocore session made from now on runs mock_aws's handler in
    turn while a lock is given (in_process_calls_serialised). A session takes
    botocore's builtin handlers, moto's among them, when it is made: call
    this before the first session exists."""
    import moto  # noqa: F401  (registers mock_aws's handler on import)

    in_turn = []
    for number, (event, handler, *order) in enumerate(handlers.BUILTIN_HANDLERS):
        if event != "before-send":
            continue
        if not isinstance(handler, _InTurn):
            handler = _InTurn(handler)
            handlers.BUILTIN_HANDLERS[number] = (event, handler, *order)
        in_turn.append(handler)
    if not in_turn:
        raise RuntimeError("moto registered no botocore before-send handler: which moto is this?")
    return in_turn


@contextlib.contextmanager
def in_process_calls_serialised(one_at_a_time: OneAtATime):
    """While inside, every botocore call that mock_aws answers in this
    process takes one_at_a_time's lock (each call atomic, as on DynamoDB)."""
    in_turn = sessions_answer_in_turn()
    before = [handler.one_at_a_time for handler in in_turn]
    for handler in in_turn:
        handler.one_at_a_time = one_at_a_time
    try:
        yield
    finally:
        for handler, previous in zip(in_turn, before):
            handler.one_at_a_time = previous
