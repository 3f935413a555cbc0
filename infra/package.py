"""`chalice`, with the Lambda runtime pinned to LAMBDA_PYTHON_VERSION rather
than taken from whichever Python runs it (Chalice's own rule), so that
`make package` yields the same runtime, with wheels built for it, on any
machine. Run as `python -m infra.package package ...`, with chalice's
arguments."""
from __future__ import annotations

import sys

LAMBDA_PYTHON_VERSION = "3.12"


def main() -> int:
    from chalice.cli import main as chalice
    from chalice.config import Config
    from chalice.deploy.packager import PipRunner

    Config.lambda_python_version = property(lambda config: f"python{LAMBDA_PYTHON_VERSION}")
    PipRunner.download_manylinux_wheels = _download_runtime_wheels
    return chalice()


def _download_runtime_wheels(pip, abi: str, packages: list[str], directory: str, platforms=None) -> None:
    """Chalice's download of the Lambda's binary wheels, but for the runtime's
    Python: without --python-version, pip asks for wheels of the Python that
    runs it, and finds none for another runtime's ABI."""
    for package in packages:
        arguments = ["--only-binary=:all:", "--no-deps", "--python-version", LAMBDA_PYTHON_VERSION]
        for platform in platforms or ["manylinux2014_x86_64"]:
            arguments += ["--platform", platform]
        arguments += ["--implementation", "cp", "--abi", abi, "--dest", directory, package]
        pip._execute("download", arguments)


if __name__ == "__main__":
    sys.exit(main())
