"""`chalice`, with the Lambda runtime pinned to LAMBDA_PYTHON_VERSION rather
than taken from whichever Python runs it (Chalice's own rule), so that
`make package` yields the same runtime, with wheels built for it, on any
machine; and with the bytecode of that runtime in deployment.zip, so that a
cold start imports rather than compiles boto3, botocore and pydantic.
Run as `python -m infra.package package ...`, with chalice's arguments."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from chalicelib.config import api_gateway
from infra import http_api
from infra.cloudformation import REST_API_ID

LAMBDA_PYTHON_VERSION = "3.12"
# Where Lambda unpacks the package: the path tracebacks show.
LAMBDA_TASK_ROOT = "/var/task"


class NoRuntimePython(RuntimeError):
    pass


def main() -> int:
    from chalice.cli import main as chalice
    from chalice.config import Config
    from chalice.deploy.packager import PipRunner

    Config.lambda_python_version = property(lambda config: f"python{LAMBDA_PYTHON_VERSION}")
    PipRunner.download_manylinux_wheels = _download_runtime_wheels
    if sys.argv[1:2] != ["package"]:
        return chalice()
    python = runtime_python()  # before chalice's work: a missing Python fails at once
    try:
        code = chalice()
    except SystemExit as done:  # click's way of returning
        code = done.code
    if code:
        return code
    # `package [options] OUT`: chalice writes deployment.zip and sam.json into OUT.
    add_bytecode(Path(sys.argv[-1]) / "deployment.zip", python)
    if api_gateway() == "http":
        _rewrite(Path(sys.argv[-1]) / "sam.json", lambda template: http_api.without_rest_api(template, REST_API_ID))
    return 0


def _rewrite(path: Path, change) -> None:
    path.write_text(json.dumps(change(json.loads(path.read_text())), indent=2))


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


# --- bytecode ----------------------------------------------------------------------


def runtime_python() -> str:
    """A Python of the Lambda's version, to compile the package with: bytecode
    is only used by the Python that wrote it (its magic number), and Lambda
    cannot write any (/var/task is read-only). The first of: LAMBDA_PYTHON
    (a path), one uv manages, one pyenv installed, python3.12 on PATH, and
    one `uv python install` downloads (where it can reach the internet)."""
    candidates = [os.environ.get("LAMBDA_PYTHON"), _uv_python(), *_pyenv_pythons(),
                  shutil.which(f"python{LAMBDA_PYTHON_VERSION}")]
    for candidate in candidates:
        if candidate and _is_runtime_version(candidate):
            return candidate
    if not os.environ.get("LAMBDA_PYTHON"):
        installed = _uv_python(install=True)
        if installed and _is_runtime_version(installed):
            return installed
    raise NoRuntimePython(
        f"make package compiles the package for the Lambda's Python {LAMBDA_PYTHON_VERSION} and found none: "
        f"install one (`uv python install {LAMBDA_PYTHON_VERSION}`, pyenv, or your system's packages), "
        f"or name it with LAMBDA_PYTHON=/path/to/python{LAMBDA_PYTHON_VERSION}")


def _uv_python(install: bool = False) -> str | None:
    uv = Path(sys.executable).parent / "uv"
    if not uv.exists():
        return None
    if install:
        subprocess.run([str(uv), "python", "install", LAMBDA_PYTHON_VERSION], capture_output=True)
    found = subprocess.run([str(uv), "python", "find", "--managed-python", "--no-python-downloads",
                            LAMBDA_PYTHON_VERSION], capture_output=True, text=True)
    return found.stdout.strip() if found.returncode == 0 else None


def _pyenv_pythons() -> list[str]:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    return [str(path) for path in sorted((root / "versions").glob(f"{LAMBDA_PYTHON_VERSION}.*/bin/python3"),
                                         reverse=True)]


def _is_runtime_version(python: str) -> bool:
    try:
        answer = subprocess.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.returncode == 0 and answer.stdout.strip() == LAMBDA_PYTHON_VERSION


def compile_tree(directory: Path, python: str) -> list[Path]:
    """Writes, beside each module under directory, the bytecode python
    compiles for it (__pycache__/<name>.cpython-312.pyc); returns those files.
    Unchecked hashes: the package never changes once deployed, so the
    runtime need not compare a module's source with its bytecode (and a zip
    keeps no exact modification times). Tracebacks name the module where
    Lambda unpacks it."""
    # A module that does not compile (a template, an example for another
    # Python) gets no bytecode, as it would not import on Lambda either.
    subprocess.run([python, "-m", "compileall", "-q", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash",
                    "-s", str(directory), "-p", LAMBDA_TASK_ROOT, str(directory)], check=False)
    return sorted(directory.rglob("__pycache__/*.pyc"))


def add_bytecode(bundle: Path, python: str) -> None:
    """Replaces any bytecode in the zip (chalice copies chalicelib/'s
    __pycache__, written by whatever Python ran the code here) with that of
    each of its modules for the Lambda's Python (compile_tree)."""
    with tempfile.TemporaryDirectory(prefix="package-bytecode-") as unpacked:
        rebuilt = Path(unpacked) / "deployment.zip"
        with zipfile.ZipFile(bundle) as zipped, zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as kept:
            zipped.extractall(unpacked, members=[name for name in zipped.namelist() if name.endswith(".py")])
            for entry in zipped.infolist():
                if not entry.filename.endswith(".pyc"):
                    kept.writestr(entry, zipped.read(entry))
        compiled = compile_tree(Path(unpacked), python)
        with zipfile.ZipFile(rebuilt, "a", compression=zipfile.ZIP_DEFLATED) as zipped:
            for path in compiled:
                zipped.write(path, path.relative_to(unpacked).as_posix())
        shutil.move(rebuilt, bundle)


if __name__ == "__main__":
    sys.exit(main())
