"""Live updates: how long a message takes from its POST /api/messages being
answered to its frame arriving on the receiver's WebSocket (the push
consumer's trip), MESSAGES times (default 100, after 5 to warm up), with
nothing else running. Median, p90 and worst."""
from __future__ import annotations

import json
import statistics
import time

from api_client import Client
from websockets.sync.client import connect

from bench.harness import BenchError, Run, setting
from bench.numbers import ms, percentile

ORDER = 45
NEEDS_STACK = True
WARM_UP = 5
FRAME_WAIT_SECONDS = 30


def run(run: Run) -> None:
    count = setting("MESSAGES", 100)
    print(f"\nrealtime: POST /api/messages answered -> its frame on the receiver's WebSocket, {count} messages")
    sender, receiver = run.new_users("live", 2)
    client = Client(run.base_url)
    url = client.call("GET", "/api/realtime")["url"]
    latencies = []
    with connect(f"{url}/?token={receiver.token}", open_timeout=FRAME_WAIT_SECONDS) as websocket:
        for number in range(WARM_UP + count):
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
                latencies.append(time.perf_counter() - answered)
    client.close()
    print(f"  median {ms(statistics.median(latencies))}, p90 {ms(percentile(latencies, 90))}, "
          f"worst {ms(max(latencies))}")
