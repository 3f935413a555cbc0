"""`make run`: the whole stack on this machine.

Starts an embedded moto server (unless AWS_ENDPOINT_URL names one already),
creates the resources, serves the API with `chalice local` and pumps every
consumer queue into its handler. Ctrl-C (or SIGTERM) stops all of it.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parent.parent
LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    for chatty in ("werkzeug", "botocore"):  # moto's per-request lines, endpoint notices
        logging.getLogger(chatty).setLevel(logging.WARNING)
    port = int(os.environ.get("PORT", "8000"))
    for name, value in LOCAL_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    # Also SIGINT: a shell that starts us in the background may have set it to
    # be ignored, and Ctrl-C (or the tests) must always stop the stack.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)

    local_aws = None
    stop = threading.Event()
    api = None
    try:
        if not os.environ.get("AWS_ENDPOINT_URL"):
            from infra.local_aws import LocalAws

            local_aws = LocalAws(port=int(os.environ.get("MOTO_PORT", "5000"))).start()
            os.environ["AWS_ENDPOINT_URL"] = local_aws.url
        from infra.provision import provision

        provisioned = provision()
        os.environ["EVENTS_TOPIC_ARN"] = provisioned.topic_arn

        api = subprocess.Popen(
            [str(Path(sys.executable).with_name("chalice")), "local",
             "--host", "127.0.0.1", "--port", str(port), "--stage", "local"],
            cwd=ROOT,
            start_new_session=True,  # so that we, not the terminal, stop it
        )
        from app import app
        from infra.pump import EventPump

        EventPump(app, boto3.client("sqs")).run(stop)
        _wait_for_health(port, api)
        print(f"\nAPI:        http://127.0.0.1:{port}/api/health", flush=True)
        print(f"AWS (moto): {os.environ['AWS_ENDPOINT_URL']}", flush=True)
        print("Ctrl-C stops everything.\n", flush=True)
        _report_dead_letters_until_exit(api)
        return api.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        if api is not None:
            _stop_process_group(api)
        if local_aws is not None:
            local_aws.stop()


def _report_dead_letters_until_exit(api: subprocess.Popen, every_seconds: float = 5) -> None:
    """Says so whenever a dead-letter queue's size changes: a message there
    is an event whose effect did not happen (see `make dead-letters`)."""
    from infra import dead_letters

    sqs, reported = boto3.client("sqs"), {}
    while api.poll() is None:
        try:
            counts = dead_letters.counts(sqs)
        except Exception:  # the stack is shutting down
            counts = reported
        if counts != reported and (any(counts.values()) or any(reported.values())):
            summary = ", ".join(f"{name}={number}" for name, number in counts.items())
            print(f"dead letters: {summary} (make dead-letters / make redrive)", flush=True)
        reported = counts
        time.sleep(every_seconds)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _wait_for_health(port: int, api: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.poll() is not None:
            raise SystemExit(f"chalice local exited with {api.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the API did not become healthy in time")


def _stop_process_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=5)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


if __name__ == "__main__":
    sys.exit(main())
