"""A 12-megapixel JPEG (4000 x 3000, camera-like noise, about 8 MB),
PHOTO_RUNS times (default 10): POST /api/media, POST the file with the
upload form, then GET /api/media/{id} every 10 ms until it is ready. Median
and worst of the time from the upload's response to the first answer saying
ready, and of the uploads consumer's own duration (its log lines). Then, in
a new process each, the renditions made from that file as the consumer
makes them (JPEG draft mode: decoded at reduced scale) and, as the
baseline, decoded at full size first: time, the process's peak RSS, and
that peak less what the imports alone took."""
from __future__ import annotations

import io
import statistics
import subprocess
import sys
import tempfile
import time

from api_client import Client, upload

from bench.harness import ROOT, BenchError, Run, setting
from bench.numbers import ms

ORDER = 60
NEEDS_STACK = True

# Runs in a new process: prints the seconds that making the renditions of
# the file named by argv[1] took, the process's peak RSS (bytes) and its RSS
# before reading the file (the imports); argv[2] "full" turns JPEG draft
# mode off, so the photo is decoded at full size first (the baseline).
RENDITIONS_PROBE = """
import os, resource, sys, time
from PIL import JpegImagePlugin
from chalicelib import renditions
def peak_rss():
    # Linux's VmHWM is this process's own; ru_maxrss there also counts the
    # parent's size at fork (the bench's), which would hide a smaller peak.
    if os.path.exists("/proc/self/status"):
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # macOS: bytes
imported = peak_rss()
if sys.argv[2] == "full":
    JpegImagePlugin.JpegImageFile.draft = lambda self, mode, size: None
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
made = renditions.renditions_of(data)
seconds = time.perf_counter() - started
print(seconds, peak_rss(), imported)
"""


def twelve_megapixels() -> bytes:
    """A camera-like 12 MP JPEG: noise compresses as a photo does, unlike a flat colour."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 40)
    image = Image.merge("RGB", (noise, noise.rotate(180), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def run(run: Run) -> None:
    runs = setting("PHOTO_RUNS", 10)
    photo = twelve_megapixels()
    print(f"\nphotos: a 12 MP JPEG ({len(photo) / 1e6:.1f} MB), {runs} uploads")
    client = Client(run.base_url)
    [owner] = run.new_users("photos", 1)
    since = run.log.mark() if run.log is not None else 0
    until_ready = []
    for _ in range(runs):
        media = client.call("POST", "/api/media", {"content_type": "image/jpeg", "size_bytes": len(photo)},
                            token=owner.token, expect=201)
        upload(media["upload"], photo, "image/jpeg")
        uploaded = time.perf_counter()
        while True:
            status = client.call("GET", f"/api/media/{media['id']}", token=owner.token)["status"]
            if status != "pending":
                break
            time.sleep(0.01)
        if status != "ready":
            raise BenchError(f"the photo was {status}")
        until_ready.append(time.perf_counter() - uploaded)
    client.close()
    if run.aws_url:
        run.wait_for_idle_pipeline()  # the last invocation logs its line after the media is ready
    print(f"  upload's response -> ready:      median {ms(statistics.median(until_ready))}, "
          f"worst {ms(max(until_ready))}")
    if run.log is not None:
        processing = [line["duration_ms"] / 1000 for line in run.log.handled(since, "uploads")]
        print(f"  the uploads consumer's own time: median {ms(statistics.median(processing))}, "
              f"worst {ms(max(processing))} ({len(processing)} invocations)")
    with tempfile.NamedTemporaryFile(suffix=".jpg") as file:
        file.write(photo)
        file.flush()
        measured = {}
        for way in ("draft", "full"):
            samples = [subprocess.run([sys.executable, "-c", RENDITIONS_PROBE, file.name, way], cwd=ROOT,
                                      capture_output=True, text=True, check=True).stdout.split()
                       for _ in range(3)]
            seconds = statistics.median(float(sample[0]) for sample in samples)
            peak = statistics.median(int(sample[1]) for sample in samples)
            imported = statistics.median(int(sample[2]) for sample in samples)
            measured[way] = (seconds, peak - imported)
            label = "as the consumer does (draft)" if way == "draft" else "decoded at full size (baseline)"
            print(f"  renditions, {label + ':':<34} {ms(seconds)}, peak RSS {peak / 2**20:.0f} MiB "
                  f"({(peak - imported) / 2**20:.0f} MiB over the imports'; median of 3 processes)")
        print(f"  draft / full:                    time {measured['draft'][0] / measured['full'][0]:.2f}x, "
              f"memory over the imports' {measured['draft'][1] / measured['full'][1]:.2f}x")
