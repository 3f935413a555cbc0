"""`make run`: the whole stack on this machine.

This process holds an embedded moto (unless AWS_ENDPOINT_URL names an AWS
already) and creates the resources in it. Worker processes serve the API as
`chalice local` serves it (several, on one listening socket) and run the
pump that feeds every consumer queue to its handler; they hand their AWS
calls to this process's moto. With everything in one process, one
interpreter lock held the API, the consumers and moto to one core. moto
also listens on MOTO_PORT for outside tools.

When a file under app.py, chalicelib/ or .chalice/ changes, the workers are
replaced by fresh ones running the new code; the embedded AWS and its data
stay. Code that does not load leaves the previous workers serving.
`--aws-only` (`make aws`) runs no API workers: the routes are then served by
`chalice local --stage local`, against this AWS.
Ctrl-C (or SIGTERM) stops all of it.
"""
from __future__ import annotations

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import queue
import signal
import socket
import subprocess
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
# What holds the code that workers run: a change there reloads them.
CODE = ("app.py", "chalicelib", ".chalice")


def main(arguments: list[str]) -> int:
    _configure_logging()
    aws_only = "--aws-only" in arguments
    port = int(os.environ.get("PORT", "8000"))
    for name, value in LOCAL_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    # Also SIGINT: a shell that starts us in the background may have set it to
    # be ignored, and Ctrl-C (or the tests) must always stop the stack.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)

    local_aws = listening = websockets = live = None
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
        # The links of the mails it prints lead to this stack's own pages.
        os.environ.setdefault("MAIL_LINK_BASE_URL", f"http://127.0.0.1:{port}")
        from infra.provision import provision

        provisioned = provision()
        os.environ["EVENTS_TOPIC_ARN"] = provisioned.topic_arn

        moto_address = local_aws.worker_address if local_aws else None
        if not aws_only:
            listening = socket.create_server(("127.0.0.1", port), backlog=128)
            from infra.local_ws import LocalWebSockets

            # A free port unless WS_PORT names one: clients ask GET /api/realtime.
            websockets = LocalWebSockets("127.0.0.1", int(os.environ.get("WS_PORT", "0")))
            os.environ.update(websockets.environment())  # before the workers start: they inherit it
            # Not reloaded: its sockets are the clients' open connections, and
            # two generations on them would each know only its own.
            live = Workers(None, moto_address, websockets, pump=False).start()
            if not live.loaded():
                raise SystemExit("The WebSocket worker did not start (see above).")
            live.run()
        with Reloading(lambda: Workers(listening, moto_address), aws_url) as reloading:
            if aws_only:
                print(f"\nAWS (moto): {aws_url}, with the consumers' pump. Serve the routes with", flush=True)
                print(f"  AWS_ENDPOINT_URL={aws_url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
                      f"AWS_DEFAULT_REGION={os.environ['AWS_DEFAULT_REGION']} .venv/bin/chalice local --stage local",
                      flush=True)
            else:
                print(f"\nWeb app:    http://127.0.0.1:{port}/", flush=True)
                print(f"API:        http://127.0.0.1:{port}/api/health", flush=True)
                print(f"WebSocket:  {websockets.url}/?token=<access token> (docs/realtime.md)", flush=True)
                print(f"AWS (moto): {aws_url}", flush=True)
            print(f"A change under {', '.join(CODE)} reloads the code; Ctrl-C stops everything.\n", flush=True)
            reloading.until_interrupted()
    except KeyboardInterrupt:
        return 0
    finally:
        if live is not None:
            live.stop()
        if websockets is not None:
            websockets.close()
        if listening is not None:
            listening.close()
        if local_aws is not None:
            local_aws.stop()


class Reloading:
    """Workers running the code as it is: when it changes, the resources it
    names are provisioned and fresh workers started; once every one of them
    has loaded the code, they replace the previous ones, which finish what
    they were doing. If the code does not load, the previous workers go on."""

    def __init__(self, make_workers, aws_url: str):
        self._make_workers = make_workers
        self._aws_url = aws_url
        self._workers = None
        self._changed, self._stop = queue.SimpleQueue(), threading.Event()

    def __enter__(self) -> "Reloading":
        # Watching from before the code is loaded: no change goes unseen.
        watching = []
        for paths, recursive in _WATCHED:
            watching.append(threading.Event())
            threading.Thread(target=_watch, args=(paths, recursive, self._changed, watching[-1], self._stop),
                             name="watch", daemon=True).start()
        if not self._replace_workers():
            print("The code does not load (see above); it starts once it does.", flush=True)
        for started in watching:
            started.wait()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        if self._workers is not None:
            self._workers.stop()

    def until_interrupted(self) -> None:
        while True:
            try:
                paths = {self._changed.get(timeout=1)}
            except queue.Empty:
                continue
            while not self._changed.empty():
                paths.add(self._changed.get())
            print(f"Reloading: {', '.join(sorted(paths))} changed.", flush=True)
            if self._loads() and self._replace_workers():
                print("Reloaded.", flush=True)
            else:
                print("Not reloaded: the code does not load (see above); the previous code still runs.", flush=True)

    def _loads(self) -> bool:
        """Once, in a fresh process, rather than once per worker (and one
        traceback each) when the code does not load."""
        try:
            return subprocess.run([sys.executable, "-c", "from infra.local import load_and_provision as l; l()"],
                                  cwd=ROOT, env={**os.environ, "AWS_ENDPOINT_URL": self._aws_url},
                                  timeout=_LOADING_SECONDS).returncode == 0
        except subprocess.TimeoutExpired:
            print(f"The code took over {_LOADING_SECONDS} s to load.", flush=True)
            return False

    def _replace_workers(self) -> bool:
        fresh, loaded = self._make_workers().start(), False
        try:
            loaded = fresh.loaded()
        finally:
            if not loaded:
                fresh.stop()
        if loaded:
            fresh.run()
            previous, self._workers = self._workers, fresh
            if previous is not None:
                previous.stop()
        return loaded


def load_and_provision() -> None:
    """Loads the app as a worker does, then creates what it may name anew
    (a table, a queue) in the AWS that AWS_ENDPOINT_URL names."""
    from infra.local_api import chalice_app
    from infra.provision import provision

    chalice_app(ROOT)
    provision()


# app.py is watched through its folder: an editor that saves by renaming a
# new file over it leaves a watch on the file itself blind.
_WATCHED = [((ROOT,), False), (tuple(ROOT / path for path in CODE if path != "app.py"), True)]


def _watch(paths, recursive: bool, changed: queue.SimpleQueue, started: threading.Event,
           stop: threading.Event) -> None:
    """Puts the path (relative to ROOT) of each changed file of CODE; sets
    started once watching."""
    from watchfiles import DefaultFilter, watch

    ignored = DefaultFilter()  # caches, editors' swap files
    code = {str(ROOT / path) for path in CODE}

    def is_code(change, path: str) -> bool:
        return ignored(change, path) and any(path == top or path.startswith(top + os.sep) for top in code)

    try:
        # Woken every second when nothing changed: the first time says it watches.
        for changes in watch(*paths, recursive=recursive, watch_filter=is_code, stop_event=stop,
                             rust_timeout=1000, yield_on_timeout=True):
            started.set()
            for _, path in changes:
                changed.put(os.path.relpath(path, ROOT))
    except Exception:
        logging.getLogger("reload").exception("cannot watch %s: the code will not reload", paths)
    finally:
        started.set()


class Workers:
    """The processes that call moto: API_WORKERS serving the API on the
    listening socket (unless None), each accepting connections from it and
    serving each on a thread as chalice local does, one running the event
    pump (unless pump is False), and one serving the WebSocket API (when
    websockets is given). Started afresh (spawned, not forked), so they work alike on
    Linux and macOS, and load the code as it is now; they exit with this
    process however it ends."""

    def __init__(self, listening: socket.socket | None, moto_address, websockets=None, pump: bool = True):
        spawn = multiprocessing.get_context("spawn")
        works = [] if listening is None else [
            (f"api-{number}", _serve_api, listening) for number in range(API_WORKERS)]
        if pump:
            works.append(("pump", _pump_events, None))
        if websockets is not None:
            from infra.local_ws import serve_websockets

            works.append(("websockets", serve_websockets, websockets.sockets))
        self._loaded = [spawn.Event() for _ in works]
        # Set once every worker has loaded: they then run, or (cancelled) exit.
        self._go, self._cancelled = spawn.Event(), spawn.Event()
        self._processes = [
            spawn.Process(target=_work, args=(work, argument, moto_address, (loaded, self._go, self._cancelled)),
                          name=name, daemon=True)
            for (name, work, argument), loaded in zip(works, self._loaded)
        ]

    def start(self) -> "Workers":
        for process in self._processes:
            process.start()
        return self

    def loaded(self) -> bool:
        """Waits until every worker has loaded the code: False if one exited
        first (its traceback is in the log) or took too long."""
        deadline = time.monotonic() + _LOADING_SECONDS
        for process, loaded in zip(self._processes, self._loaded):
            while not loaded.wait(0.1):
                if not process.is_alive() or time.monotonic() > deadline:
                    return False
        return True

    def run(self) -> None:
        """The workers, having loaded, serve and pump."""
        self._go.set()

    def stop(self) -> None:
        """Each worker finishes what it is doing (SIGTERM) and exits."""
        if not self._go.is_set():
            self._cancelled.set()
            self._go.set()
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        for process in self._processes:
            process.join(timeout=_STOPPING_SECONDS + 5)
            if process.is_alive():
                process.kill()
                process.join()


# How long a stopping worker waits for the requests and batches it has taken.
_STOPPING_SECONDS = 30
# How long the code may take to load (an import that never ends, say).
_LOADING_SECONDS = 300


def _work(work, argument, moto_address, events) -> None:
    """A worker process: work(argument, admitted, stopping), its AWS calls
    answered by the parent's moto at moto_address (None: AWS_ENDPOINT_URL's
    AWS). work calls admitted() once it has loaded the code, runs only if
    that says so, and returns after stopping is set (by SIGTERM) once it has
    finished what it took."""
    loaded, go, cancelled = events

    def admitted() -> bool:
        loaded.set()
        go.wait()
        return not cancelled.is_set()

    # Ctrl-C reaches every process of the terminal's group; the parent stops us.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopping.set())
    _configure_logging()
    threading.Thread(target=_exit_with_parent, name="parent-watch", daemon=True).start()
    with contextlib.ExitStack() as in_process:
        if moto_address is not None:
            from moto import mock_aws

            from infra.local_aws import calls_answered_by_parent

            in_process.enter_context(mock_aws())
            in_process.enter_context(calls_answered_by_parent(moto_address))
        work(argument, admitted, stopping)


def _serve_api(listening: socket.socket, admitted, stopping: threading.Event) -> None:
    from infra.local_api import local_api

    server = local_api(ROOT, listening)
    # Every worker is woken by a connection and one takes it: the others
    # must go back to waiting rather than block in accept().
    listening.setblocking(False)
    if not admitted():
        return
    threading.Thread(target=lambda: (stopping.wait(), server.shutdown()), name="stop", daemon=True).start()
    server.serve_forever()
    server.in_flight.wait_for_none(timeout=_STOPPING_SECONDS)


def _pump_events(_, admitted, stopping: threading.Event) -> None:
    from infra.local_api import chalice_app
    from infra.pump import EventPump

    app, _ = chalice_app(ROOT)
    if not admitted():
        return
    # OUTBOX_RELAY_SECONDS: how often the events whose publishing failed are
    # published again (the relay's schedule in the cloud is a minute).
    relay_every = float(os.environ.get("OUTBOX_RELAY_SECONDS", "2"))
    threads = EventPump(app, boto3.client("sqs")).run(stopping, relay_every_seconds=relay_every)
    _report_dead_letters_until(stopping)
    deadline = time.monotonic() + _STOPPING_SECONDS
    for thread in threads:  # each finishes the batch it has
        thread.join(timeout=max(0.0, deadline - time.monotonic()))


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
        stop.wait(every_seconds)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
