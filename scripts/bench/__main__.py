"""Runs the sections BENCH names (all by default), in their order."""
from __future__ import annotations

import contextlib
import http.client
import os
import subprocess
import time

from api_client import UnexpectedAnswer

from bench.harness import ROOT, BenchError, Run, stack
from bench.sections import all_sections


def selected_sections() -> dict:
    sections = all_sections()
    names = [name.strip() for name in os.environ.get("BENCH", ",".join(sections)).split(",") if name.strip()]
    unknown = sorted(set(names) - set(sections))
    if unknown:
        raise SystemExit(f"BENCH: unknown section(s) {', '.join(unknown)}; choose from {', '.join(sections)}")
    return {name: section for name, section in sections.items() if name in names}


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    sections = selected_sections()
    started = time.perf_counter()
    print(f"bench: commit {commit()}, {os.cpu_count()} CPUs, sections {', '.join(sections)}")
    needs_stack = any(section.NEEDS_STACK for section in sections.values())
    try:
        with stack() if needs_stack else contextlib.nullcontext() as measured:
            run = Run(measured)
            if needs_stack:
                print(f"users: {run.prefix}_*")
            for section in sections.values():
                section.run(run)
    except (BenchError, UnexpectedAnswer) as error:
        raise SystemExit(f"bench failed: {error}") from None
    except (OSError, http.client.HTTPException) as error:
        raise SystemExit(f"bench failed: the API did not answer: {error!r}") from None
    print(f"\ndone in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
