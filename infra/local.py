"""`make run`: the whole stack on this machine.

One process: an embedded moto (unless AWS_ENDPOINT_URL names an AWS already),
the resources created in it, the API served as `chalice local` serves it,
and a pump that feeds every consumer queue to its handler. The API and the
pump call moto in-process; moto also listens on MOTO_PORT for outside tools.
Ctrl-C (or SIGTERM) stops all of it.
"""
from __future__ import annotations

import logging
import os
import signal
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

    local_aws = api = serving = None
    stop = threading.Event()
    try:
        aws_url = os.environ.get("AWS_ENDPOINT_URL")
        if not aws_url:
            from infra.local_aws import LocalAws

            local_aws = LocalAws(port=int(os.environ.get("MOTO_PORT", "5000"))).start()
            aws_url = local_aws.url
        # Upload forms and photo URLs go to the embedded AWS over HTTP, so
        # that any client (curl, a browser) can use them without credentials.
        os.environ.setdefault("AWS_ENDPOINT_URL_S3", aws_url)
        from chalicelib.config import media_bucket

        os.environ.setdefault("MEDIA_BASE_URL", f"{os.environ['AWS_ENDPOINT_URL_S3']}/{media_bucket()}")
        from infra.provision import provision

        provisioned = provision()
        os.environ["EVENTS_TOPIC_ARN"] = provisioned.topic_arn

        from infra.local_api import local_api, serve_in_background
        from infra.pump import EventPump

        api = local_api(ROOT, "127.0.0.1", port)
        EventPump(api.app_object, boto3.client("sqs")).run(stop)
        serving = serve_in_background(api)
        print(f"\nAPI:        http://127.0.0.1:{port}/api/health", flush=True)
        print(f"AWS (moto): {aws_url}", flush=True)
        print("Ctrl-C stops everything.\n", flush=True)
        _report_dead_letters_until(stop)
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop.set()
        if serving is not None:
            api.shutdown()
        if api is not None:
            api.server.server_close()
        if local_aws is not None:
            local_aws.stop()


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
