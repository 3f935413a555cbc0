"""The lock files pin every package to one version with its hashes, so
that installing from them gives the same files on every machine, and the
development lock agrees with the Lambda's."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^ ;\\]+)")


def locked(lock: str) -> dict[str, str]:
    """{package: version}; each pin must be followed by at least one hash."""
    lines = (ROOT / lock).read_text().splitlines()
    pins = {}
    for number, line in enumerate(lines):
        if not line or line[0] in " #-":
            continue
        match = PIN.match(line)
        assert match, f"{lock}: {line!r} is not an exact pin"
        assert lines[number + 1].strip().startswith("--hash=sha256:"), f"{lock}: {line!r} has no hash"
        pins[normalised(match[1])] = match[3]
    return pins


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def direct(requirements_in: str) -> set[str]:
    names = set()
    for line in (ROOT / requirements_in).read_text().splitlines():
        if line and not line.startswith(("#", "-")):
            names.add(normalised(re.split(r"[\[~=<>!; ]", line, maxsplit=1)[0]))
    return names


@pytest.mark.parametrize("source, lock", [("requirements.in", "requirements.txt"),
                                          ("requirements-dev.in", "requirements-dev.txt")])
def test_every_requirement_is_locked_to_one_version_with_hashes(source, lock):
    assert direct(source) <= set(locked(lock))


def test_development_installs_the_versions_the_lambda_ships():
    lambda_pins, dev_pins = locked("requirements.txt"), locked("requirements-dev.txt")
    assert {name: dev_pins.get(name) for name in lambda_pins} == lambda_pins
