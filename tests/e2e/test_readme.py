"""The README's commands work: its shell blocks run, in order and in one
shell as a reader would type them, against a `make run` stack on free ports
(the local_stack fixture), with `localhost:8000` pointing at it.

A block that cannot run here is named in NOT_RUN, with the reason; its
`make` commands, and those the prose shows in backticks, are still
dry-run (`make -n`), so a target that no longer exists fails. `make
package` is not run here: tests/integration/test_package.py builds the same
template with the same two steps and checks it.
"""
import os
import re
import shlex
import subprocess

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

README = ROOT / "README.md"
LOCAL_API = "localhost:8000"

# The start of a command (a regular expression) -> why the test does not run it.
NOT_RUN = {
    r"make run\b": "the local_stack fixture starts what it runs (python -m infra.local), on free ports",
    r"make test\s": "this test is part of make test",
    r"make test-(unit|integration|e2e|browser)\b": "parts of make test, which this test is part of",
    r"make aws\b": "tests/e2e/test_development.py starts it, with chalice local against it",
    r"AWS_ENDPOINT_URL=\S+ .*chalice local": "tests/e2e/test_development.py runs chalice local against make aws",
    r"make lint\b": ".ci/run runs it",
    r"make lock\b": "rewrites the lock files from the package index",
    r"make bench\b": "minutes of load on a stack of its own; docs/benchmarks.md has its figures",
    r"aws ": "needs AWS credentials",
    r"make deploy\b": "needs AWS credentials and a bucket",
    r"make smoke BASE_URL=https://": "a deployed stage; the same journey runs against make run in its own block",
    r"make destroy\b": "needs AWS credentials",
}


def blocks(text: str) -> list[tuple[int, str]]:
    """The README's ```bash blocks, each with the line it starts on."""
    return [(text.count("\n", 0, match.start()) + 2, match.group(1))
            for match in re.finditer(r"^```bash\n(.*?)^```$", text, re.M | re.S)]


def commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def why_not_run(command: str) -> str | None:
    for start, reason in NOT_RUN.items():
        if re.match(start, command + " "):
            return reason
    return None


def split_blocks() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(runnable, not run): a block is run whole or not at all."""
    runnable, not_run = [], []
    for line, block in blocks(README.read_text()):
        reasons = [why_not_run(command) for command in commands(block)]
        if not any(reasons):
            runnable.append((line, block))
        elif all(reasons):
            not_run.append((line, block))
        else:
            mixed = [command for command, reason in zip(commands(block), reasons) if not reason]
            raise AssertionError(f"README line {line}: split the block; these would run, the rest not: {mixed}")
    return runnable, not_run


def make_commands_shown(text: str) -> list[str]:
    """Every make command the README shows, in blocks and in backticks."""
    shown = [command for _, block in blocks(text) for command in commands(block)]
    shown += re.findall(r"`((?:[A-Z_]+=\S+ )*make [^`]+)`", text)
    return [command for command in shown if re.match(r"([A-Z_]+=\S+ )*make ", command)]


def environment(**extra) -> dict:
    """Ours, without anything that would send AWS calls elsewhere."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("AWS_") and name not in ("RESOURCE_PREFIX", "STAGE", "EVENTS_TOPIC_ARN")}
    env.update(extra)
    return env


def test_every_readme_block_either_runs_or_says_why_not():
    runnable, not_run = split_blocks()
    assert runnable, "no README block runs"
    shown = [command for _, block in blocks(README.read_text()) for command in commands(block)]
    unused = [start for start in NOT_RUN if not any(re.match(start, command + " ") for command in shown)]
    assert not unused, f"NOT_RUN names commands the README no longer shows: {unused}"


@pytest.mark.parametrize("line, block", [pytest.param(*found, id=f"line {found[0]}") for found in split_blocks()[1]])
def test_a_block_that_cannot_run_here_says_why(line, block):
    """Listed by `pytest -rs`: which README blocks are not run, and why."""
    reasons = [f"{command.split('  #')[0].strip()}: {why_not_run(command)}" for command in commands(block)]
    pytest.skip(f"README line {line}: " + "; ".join(reasons))


@pytest.mark.parametrize("command", make_commands_shown(README.read_text()))
def test_every_make_command_the_readme_shows_exists(command):
    """What cannot run here is at least checked as far as make can: the
    target exists and its recipe expands (`make -n` runs nothing)."""
    words = shlex.split(command, comments=True)
    assignments = dict(word.split("=", 1) for word in words[:words.index("make")])
    result = subprocess.run(["make", "-n", *words[words.index("make") + 1:]], cwd=ROOT,
                            env=environment(**assignments), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_readme_journey_runs_against_make_run(local_stack, tmp_path):
    runnable, _ = split_blocks()
    api = local_stack.base_url.removeprefix("http://")
    moto_port = local_stack.aws_url.rsplit(":", 1)[1]
    script = ["set -eu",
              # Stricter than the reader's curl: an answer of 4xx or 5xx fails the command.
              "curl() { command curl --fail-with-body \"$@\"; }",
              f"make() {{ command make -C {shlex.quote(str(ROOT))} --no-print-directory \"$@\"; }}"]
    for line, block in runnable:
        script += [f"echo '--- README line {line}' >&2", block.replace(LOCAL_API, api)]
    script = "\n".join(script)
    assert LOCAL_API not in script and not re.search(r":(8000|5000)\b", script), \
        "a README command would reach the default ports, not the stack under test"
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")  # the journey runs from a checkout's top

    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                            env=environment(MOTO_PORT=moto_port, PORT=api.rsplit(":", 1)[1]))

    assert result.returncode == 0, f"{result.stderr[-3000:]}\n{result.stdout[-3000:]}"
    # curl prints bodies without a newline: what follows one starts on its line.
    out = result.stdout
    assert re.search(r"204$", out, re.M), "the upload form's POST answers 204"
    assert out.count("200 image/jpeg\n") == 2, "both renditions answer without credentials"
    assert '"status":"ready"' in out
    assert re.search(r"^feed: 0$", out, re.M), "make dead-letters lists its queues"
