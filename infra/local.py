"""`make run`: the whole stack on this machine.

This process holds an embedded moto (unless AWS_ENDPOINT_URL names an AWS
already) and creates the resources in it. Worker processes serve the API as
`chalice local` serves it (several, on one listening socket) and run the
pump that feeds every consumer queue to its handler; they hand their AWS
calls to this process's moto. With everything in one process, one
interpreter lock held the API, the consumers and moto to one core. moto
also listens on MOTO_PORT for outside tools.
Ctrl-C (or SIGTERM) stops all of it.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# The API's processes. With the pump's and this one's (moto), they keep two
# cores busy; more would only take turns at moto's lock.
API_WORKERS = 2


def main() -> int:
    _configure_logging()
    port = int(os.environ.get("PORT", "8000"))
    for name, value in LOCAL_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    # Also SIGINT: a shell that starts us in the background may have set it to
    # be ignored, and Ctrl-C (or the tests) must always stop the stack.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)

    local_aws = workers = None
    try:
        aws_url = os.environ.get("AWS_ENDPOINT_URL")
        if not aws_url:
            from infra.local_aws import LocalAws

            local_aws = LocalAws(port=int(os.environ.get("MOTO_PORT", "5000"))).start()
            aws_url = local_aws.url
        # Upload forms and photo URLs lead to the embedded AWS over HTTP, so
        # that any client (curl, a browser) can use them without credentials;
        # our own S3 calls are answered in-process, as every other call.
        os.environ.setdefault("MEDIA_UPLOAD_ENDPOINT", aws_url)
        from chalicelib.config import media_bucket

        os.environ.setdefault("MEDIA_BASE_URL", f"{os.environ['MEDIA_UPLOAD_ENDPOINT']}/{media_bucket()}")
        from infra.provision import provision

        provisioned = provision()
        os.environ["EVENTS_TOPIC_ARN"] = provisioned.topic_arn

        workers = Workers("127.0.0.1", port, local_aws.worker_address if local_aws else None).start()
        print(f"\nWeb app:    http://127.0.0.1:{port}/", flush=True)
        print(f"API:        http://127.0.0.1:{port}/api/health", flush=True)
        print(f"AWS (moto): {aws_url}", flush=True)
        print("Ctrl-C stops everything.\n", flush=True)
        while True:
            time.sleep(3600)  # until Ctrl-C or SIGTERM
    except KeyboardInterrupt:
        return 0
    finally:
        if workers is not None:
            workers.stop()
        if local_aws is not None:
            local_aws.stop()


class Workers:
    """The processes that call moto: API_WORKERS serving the API on
    host:port, each accepting connections from one listening socket and
    serving each on a thread as chalice local does, and one running the
    event pump. Started afresh (spawned, not forked), so they work alike on
    Linux and macOS; they exit with this process however it ends."""

    def __init__(self, host: str, port: int, moto_address):
        self._listening = socket.create_server((host, port), backlog=128)
        spawn = multiprocessing.get_context("spawn")
        works = [(f"api-{number}", _serve_api, self._listening) for number in range(API_WORKERS)]
        works.append(("pump", _pump_events, None))
        self._processes = [
            spawn.Process(target=_work, args=(work, argument, moto_address), name=name, daemon=True)
            for name, work, argument in works
        ]

    def start(self) -> "Workers":
        for process in self._processes:
            process.start()
        return self

    def stop(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join(timeout=5)
        self._listening.close()


def _work(work, argument, moto_address) -> None:
    """A worker process: work(argument), its AWS calls answered by the
    parent's moto at moto_address (None: AWS_ENDPOINT_URL's AWS)."""
    # Ctrl-C reaches every process of the terminal's group; the parent stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _configure_logging()
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    with contextlib.ExitStack() as in_process:
        if moto_address is not None:
            from moto import mock_aws

            from infra.local_aws import calls_answered_by_parent

            in_process.enter_context(mock_aws())
            in_process.enter_context(calls_answered_by_parent(moto_address))
        work(argument)


def _serve_api(listening: socket.socket) -> None:
    from infra.local_api import local_api

    local_api(ROOT, listening).serve_forever()


def _pump_events(_) -> None:
    from infra.local_api import chalice_app
    from infra.pump import EventPump

    app, _ = chalice_app(ROOT)
    stop = threading.Event()  # never set: the parent ends this process
    EventPump(app, boto3.client("sqs")).run(stop)
    _report_dead_letters_until(stop)


def _exit_with_parent() -> None:
    """Even a parent killed outright (SIGKILL) leaves no worker behind."""
    multiprocessing.connection.wait([multiprocessing.parent_process().sentinel])
    os._exit(0)


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for chatty in ("werkzeug", "botocore"):  # moto's per-request lines, endpoint notices
        logging.getLogger(chatty).setLevel(logging.WARNING)


def _report_dead_letters_until(stop: threading.Event, every_seconds: float = 5) -> None:
    """Says so whenever a dead-letter queue's size changes: a message there
    is an event whose effect did not happen (see `make dead-letters`)."""
    from infra import dead_letters

    sqs, reported = boto3.client("sqs"), {}
    while not stop.is_set():
        counts = dead_letters.counts(sqs)
        if counts != reported and (any(counts.values()) or any(reported.values())):
            summary = ", ".join(f"{name}={number}" for name, number in counts.items())
            print(f"dead letters: {summary} (make dead-letters / make redrive)", flush=True)
        reported = counts
        time.sleep(every_seconds)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
