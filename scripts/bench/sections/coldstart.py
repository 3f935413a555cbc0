"""What a Lambda cold start pays before the first event: IMPORT_RUNS times
(default 10) each, alternating, a new process of the Lambda's Python (3.12,
as `make package` finds it: infra/package.py) that sees only what the
deployment package holds (the code and requirements.txt, installed apart)
imports boto3 (the floor), the consumers' handler module and the API's
(`import app`). Once as the package ships, with the bytecode `make package`
compiles into it, and once without any (compiling every module at every
cold start, as Lambda does with a package that holds none: /var/task is
read-only). Medians, each against boto3 alone, and shipped / without. Needs
no stack, and reaches PyPI for the Lambda's wheels."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import ROOT, BenchError, Run, setting
from bench.numbers import ms
from infra.package import compile_tree, runtime_python

ORDER = 70
NEEDS_STACK = False
# What each kind of function imports first (its handler's module), and the floor.
MODULES = {"boto3": "boto3 alone", "chalicelib.consumers": "a consumer", "app": "the API"}


def lambda_bundle(python: str) -> Path:
    """What the deployment package holds, before its bytecode: the code and
    the Lambda's requirements (requirements.txt, Chalice's runtime), without
    the development tools (some of which, like cryptography, the app's
    libraries would pick up and pay for if they were there)."""
    bundle = Path(tempfile.mkdtemp(prefix="lambda-bundle-"))
    installed = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                "--no-deps", "--require-hashes", "--no-compile", "--target", str(bundle),
                                "-r", str(ROOT / "requirements.txt")], capture_output=True, text=True)
    if installed.returncode:
        raise BenchError(f"could not install requirements.txt for {python}:\n{installed.stderr}")
    import chalice
    import chalice.app

    (bundle / "chalice").mkdir()
    for module, name in ((chalice, "__init__.py"), (chalice.app, "app.py")):
        shutil.copy(module.__file__, bundle / "chalice" / name)
    shutil.copy(ROOT / "app.py", bundle)
    shutil.copytree(ROOT / "chalicelib", bundle / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
    return bundle


def import_seconds(python: str, module: str, bundle: Path) -> float:
    """How long a new process of python, seeing only the standard library
    and the bundle (-S and PYTHONPATH), and writing no bytecode (as on
    Lambda), takes to import module, as it measures itself."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "PYTHON"))}
    env.update(PYTHONPATH=str(bundle), PYTHONDONTWRITEBYTECODE="1")
    probe = f"import time; started = time.perf_counter(); import {module}; print(time.perf_counter() - started)"
    result = subprocess.run([python, "-S", "-c", probe], cwd=bundle, env=env, capture_output=True, text=True,
                            check=True)
    return float(result.stdout)


def medians(python: str, bundle: Path, runs: int) -> dict[str, float]:
    seconds = {module: [] for module in MODULES}
    for _ in range(runs):
        for module in seconds:  # alternating, so that the machine's load weighs on all alike
            seconds[module].append(import_seconds(python, module, bundle))
    return {module: statistics.median(samples) for module, samples in seconds.items()}


def run(run: Run) -> None:
    runs = setting("IMPORT_RUNS", 10)
    python = runtime_python()
    version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True,
                             text=True, check=True).stdout.strip()
    print(f"\ncoldstart: import in a new Python {version} process that sees only the deployment package's "
          f"contents, {runs} runs each ({python}; this bench runs on {sys.version.split()[0]})")
    bundle = lambda_bundle(python)
    try:
        without = medians(python, bundle, runs)  # first: nothing has compiled anything yet
        compiled = compile_tree(bundle, python)
        shipped = medians(python, bundle, runs)
    finally:
        shutil.rmtree(bundle)
    print(f"  ({len(compiled)} modules compiled, as make package does)")
    for title, figures in (("as the package ships, with its bytecode:", shipped),
                           ("without bytecode (compiled at every cold start):", without)):
        print(f"  {title}")
        for module, median in figures.items():
            print(f"    import {module:<20} ({MODULES[module]:<11}) median {ms(median)}, "
                  f"{median / figures['boto3']:.2f}x boto3 alone")
    print("  shipped / without, by module: " + ", ".join(
        f"{MODULES[module]} {shipped[module] / without[module]:.2f}" for module in MODULES))
