"""`make lock`: resolves requirements.in and requirements-dev.in into the
lock files that `make`, CI and `make package` install from: exact versions
with their hashes, so that every machine installs the same files. Versions
already locked are kept unless `--upgrade` (make lock UPGRADE=1).

The Lambda lock is resolved for the Lambda runtime's Python
(infra/package.py); the development lock for any Python this project runs
on, constrained to the Lambda lock's versions."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from infra.package import LAMBDA_PYTHON_VERSION

ROOT = Path(__file__).resolve().parents[1]
LOWEST_LOCAL_PYTHON = "3.11"

LOCKS = (
    ("requirements.in", "requirements.txt", LAMBDA_PYTHON_VERSION),
    ("requirements-dev.in", "requirements-dev.txt", LOWEST_LOCAL_PYTHON),
)


def main(arguments: list[str]) -> None:
    upgrade = ["--upgrade"] if "--upgrade" in arguments else []
    uv = Path(sys.executable).parent / "uv"
    for source, lock, python in LOCKS:
        subprocess.run([str(uv), "pip", "compile", "--quiet", "--universal", "--generate-hashes",
                        "--python-version", python, *upgrade, source, "--output-file", lock],
                       cwd=ROOT, check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
