"""Importing the app (a Lambda cold start) does no I/O. How long it takes
is measured by `make bench`, not asserted here."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = textwrap.dedent("""
    import socket
    def refuse(*args, **kwargs):
        raise AssertionError("network call at import time")
    socket.socket.connect = refuse
    socket.create_connection = refuse
    import app
""")


def test_importing_the_app_makes_no_network_call():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert result.returncode == 0, result.stderr


def test_importing_the_app_leaves_pillow_to_the_upload_processor():
    """Only the consumer that decodes photos needs Pillow; the API and the
    other consumers import the same modules and would load it for nothing."""
    result = subprocess.run(
        [sys.executable, "-c", "import sys, app; assert 'PIL' not in sys.modules, 'PIL imported'"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"},
    )
    assert result.returncode == 0, result.stderr
