"""`make bench` is a package of sections (scripts/bench/): each one imports
and declares what the runner needs, the smallest runs against the real
local stack, and the harness reads the stack's log through the project's
log format."""
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
from contextlib import redirect_stdout

import pytest

from chalicelib.logs import JsonFormatter
from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e
SCRIPTS = ROOT / "scripts"


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(SCRIPTS))
    from bench import harness, sections

    return harness, sections.all_sections()


def test_every_section_imports_and_declares_its_order_its_needs_and_what_it_does(bench):
    _, sections = bench
    assert {"keepalive", "feed", "throughput", "events", "fanout", "photos", "coldstart"} <= set(sections)
    orders = [section.ORDER for section in sections.values()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    for name, section in sections.items():
        assert isinstance(section.NEEDS_STACK, bool), name
        assert callable(section.run) and section.__doc__.strip(), name


def test_the_keepalive_section_measures_the_local_stack(bench, local_stack, monkeypatch):
    harness, sections = bench
    monkeypatch.setenv("HEALTH_REQUESTS", "3")
    printed = io.StringIO()
    with redirect_stdout(printed):
        sections["keepalive"].run(harness.Run(harness.Stack(local_stack.base_url, local_stack.aws_url, None)))
    lines = printed.getvalue().splitlines()
    assert lines[1] == "keepalive: GET /api/health x3"
    assert any(line.strip().startswith("keep-alive / new (medians):") for line in lines)


def app_line(**extra) -> str:
    record = logging.LogRecord("instagram-events", logging.INFO, __file__, 1, "handled", None, None)
    record.__dict__.update(extra)
    return JsonFormatter("instagram-events").format(record)


def test_the_harness_reads_the_consumers_lines_and_the_stacks_problems_from_its_log(bench):
    harness, _ = bench
    with tempfile.TemporaryFile() as file:
        log = harness.StackLog(file)
        file.write(f"{app_line(consumer='feed', outcome='done', type='post.created', duration_ms=5)}\n".encode())
        since = log.mark()
        file.write("\n".join([
            "2026-01-01 00:00:00,000 pump INFO started",
            app_line(consumer="feed", outcome="done", type="post.created", duration_ms=7),
            app_line(consumer="feed", outcome="failed", type="post.created", duration_ms=9),
            app_line(consumer="search", outcome="done", type="user.registered", duration_ms=1),
            json.dumps({"consumer": "feed", "outcome": "done"}),  # not one of the app's lines
            "dead letters: feed 1 (make dead-letters / make redrive)",
        ]).encode() + b"\n")
        handled = log.handled(since, "feed", ("post.created",))
        assert [line["duration_ms"] for line in handled] == [7]
        assert len(log.handled(0, "feed")) == 2
        assert log.problems().splitlines()[1:] == ["dead letters: feed 1 (make dead-letters / make redrive)"]


def test_an_unknown_section_is_refused_naming_the_sections():
    result = subprocess.run([sys.executable, "-m", "bench"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(SCRIPTS), "BENCH": "nosuch"})
    assert result.returncode != 0
    assert "unknown section(s) nosuch; choose from keepalive," in result.stderr
