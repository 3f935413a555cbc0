"""What the stack costs on AWS: one active user's day (COST_MIX, e.g.
"feed=30,like=10"; COST_DAYS user-days, default 20, over COST_USERS users,
default 12) played in-process over moto with the real app and consumers,
every AWS call counted in the units AWS bills and priced at the dated list
prices of infra/costs.py. Prints each request kind's usage and dollars, a
user-day, and the month for 1,000 and 100,000 daily users and idle, with
the stage's make-up (tracing, API kind, alarms) read from the template.
Needs no stack: it makes its own, in a process of its own
(bench/cost_model.py). docs/cost.md holds the latest figures."""
from __future__ import annotations

import os
import subprocess
import sys

from bench.harness import ROOT, BenchError, Run

ORDER = 80
NEEDS_STACK = False


def run(run: Run) -> None:
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    if subprocess.run([sys.executable, "-m", "bench.cost_model"], cwd=ROOT, env=environment).returncode:
        raise BenchError("the cost model failed (its output is above)")
