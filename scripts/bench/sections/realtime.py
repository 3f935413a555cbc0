"""Live updates: how long a message takes from its POST /api/messages being
answered to its frame arriving on the receiver's WebSocket (the push
consumer's trip). MESSAGES times (default 100, after 5 to warm up) with
nothing else running, then again for BENCH_SECONDS (default 30) under the
throughput section's mix (8 clients looping over feed, notifications and
posts). Median, p90 and worst of each."""
from __future__ import annotations

import json
import statistics
import threading
import time

from api_client import Client
from websockets.sync.client import connect

from bench.harness import BenchError, Run, User, setting
from bench.numbers import ms, percentile
from bench.sections.throughput import CLIENTS, MIX, one_client

ORDER = 45
NEEDS_STACK = True
WARM_UP = 5
FRAME_WAIT_SECONDS = 30


def latencies(client: Client, websocket, sender: User, receiver: User, count: int,
              until: float | None = None) -> list[float]:
    """Seconds from each message answered to its frame received: count of
    them, or as many as fit before until."""
    measured = []
    for number in range(WARM_UP + count):
        if until is not None and time.perf_counter() >= until:
            break
        sent = client.call("POST", "/api/messages", {"receiver_id": receiver.user_id, "content": f"m{number}"},
                           sender.token, expect=201)
        answered = time.perf_counter()
        while True:
            try:
                frame = json.loads(websocket.recv(timeout=FRAME_WAIT_SECONDS))
            except TimeoutError as error:
                raise BenchError(f"no frame for message {sent['id']} within {FRAME_WAIT_SECONDS} s") from error
            if frame.get("type") == "message" and frame["message"]["id"] == sent["id"]:
                break
        if number >= WARM_UP:
            measured.append(time.perf_counter() - answered)
    if not measured:
        raise BenchError("no message was measured")
    return measured


def summary(measured: list[float]) -> str:
    return (f"{len(measured)} messages: median {ms(statistics.median(measured))}, "
            f"p90 {ms(percentile(measured, 90))}, worst {ms(max(measured))}")


def run(run: Run) -> None:
    count, seconds = setting("MESSAGES", 100), setting("BENCH_SECONDS", 30)
    print("\nrealtime: POST /api/messages answered -> its frame on the receiver's WebSocket")
    sender, receiver = run.new_users("live", 2)
    loaders = run.new_users("load", CLIENTS)
    client = Client(run.base_url)
    url = client.call("GET", "/api/realtime")["url"]
    with connect(f"{url}/?token={receiver.token}", open_timeout=FRAME_WAIT_SECONDS) as websocket:
        print(f"  idle, {summary(latencies(client, websocket, sender, receiver, count))}")
        deadline = time.perf_counter() + seconds
        outcomes: list = []
        threads = [threading.Thread(target=one_client, args=(run.base_url, user, deadline, outcomes), daemon=True)
                   for user in loaders]
        for thread in threads:
            thread.start()
        loaded = latencies(client, websocket, sender, receiver, count, until=deadline)
        for thread in threads:
            thread.join()
    client.close()
    print(f"  under the throughput mix ({CLIENTS} clients, {'/'.join(MIX)}; {len(outcomes)} requests beside), "
          f"{summary(loaded)}")
