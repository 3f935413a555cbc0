"""IMPORT_RUNS times (default 10) each, alternating, in a new process that
sees only what the deployment package holds (the code and
requirements.txt, installed apart): `import boto3`, the consumers' handler
module and the API's (`import app`), i.e. what a Lambda cold start pays
before the first event; once compiling as it goes (as Lambda does: the
package holds no bytecode for its runtime), once with bytecode cached.
Medians, and each against boto3. Needs no stack."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import ROOT, Run, setting
from bench.numbers import ms

ORDER = 70
NEEDS_STACK = False
# What each kind of function imports first (its handler's module), and the floor.
MODULES = {"boto3": "bare boto3", "chalicelib.consumers": "a consumer", "app": "the API"}


def lambda_bundle() -> Path:
    """What the deployment package holds: the code and the Lambda's
    requirements (requirements.txt, Chalice's runtime), without the
    development tools (some of which, like cryptography, the app's libraries
    would pick up and pay for if they were there) and without bytecode."""
    bundle = Path(tempfile.mkdtemp(prefix="lambda-bundle-"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                    "--require-hashes", "--no-compile", "--target", str(bundle), "-r", str(ROOT / "requirements.txt")],
                   check=True)
    import chalice
    import chalice.app

    (bundle / "chalice").mkdir()
    for module, name in ((chalice, "__init__.py"), (chalice.app, "app.py")):
        shutil.copy(module.__file__, bundle / "chalice" / name)
    shutil.copy(ROOT / "app.py", bundle)
    shutil.copytree(ROOT / "chalicelib", bundle / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    return bundle


def import_seconds(module: str, bundle: Path, bytecode: bool) -> float:
    """How long a new Python process, seeing only the standard library and
    the bundle, takes to import module, as it measures itself. Without
    bytecode, it compiles the bundle's modules as it imports them and keeps
    nothing, as Lambda does with a package that holds no bytecode for its
    runtime (its filesystem is read-only)."""
    probe = f"import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"
    result = subprocess.run([sys.executable, "-S", "-c", probe], cwd=bundle, env=bundle_env(bundle, bytecode),
                            capture_output=True, text=True, check=True)
    return float(result.stdout)


def bundle_env(bundle: Path, bytecode: bool) -> dict:
    """-S and this: the process sees the standard library and the bundle, not the virtualenv."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("AWS_") and name != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(bundle)
    if not bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run(run: Run) -> None:
    runs = setting("IMPORT_RUNS", 10)
    print(f"\ncoldstart: import in a new process that sees only the deployment package's contents, {runs} runs each")
    bundle = lambda_bundle()
    try:
        # Without bytecode first: nothing has written any yet.
        for bytecode in (False, True):
            seconds = {module: [] for module in MODULES}
            if bytecode:
                for module in MODULES:
                    subprocess.run([sys.executable, "-S", "-c", f"import {module}"], cwd=bundle, check=True,
                                   env=bundle_env(bundle, bytecode=True))
            for _ in range(runs):
                for module in seconds:  # alternating, so that the machine's load weighs on all alike
                    seconds[module].append(import_seconds(module, bundle, bytecode))
            print("  with the bundle's bytecode cached:" if bytecode else
                  "  as Lambda runs a package without bytecode (compiled at every cold start):")
            floor = statistics.median(seconds["boto3"])
            for module, samples in seconds.items():
                median = statistics.median(samples)
                print(f"    import {module:<20} ({MODULES[module]:<10}) median {ms(median)}, "
                      f"{median / floor:.2f}x boto3")
    finally:
        shutil.rmtree(bundle)
