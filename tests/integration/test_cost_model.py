"""`make bench` section cost (scripts/bench/cost_model.py) on a tiny mix: what it
counts for a like and a feed page, and that its months are that count priced."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cost") / "cost.json"
    environment = {**os.environ, "COST_MIX": "like=1,feed=1", "COST_DAYS": "2", "COST_USERS": "3",
                   "COST_JSON": str(out), "PYTHONPATH": str(ROOT / "scripts")}
    subprocess.run([sys.executable, "-m", "bench.cost_model"], cwd=ROOT, env=environment, check=True,
                   capture_output=True, timeout=600)
    return json.loads(out.read_text())


def test_a_like_is_one_request_its_events_and_a_transaction_of_writes(tiny_run):
    like = tiny_run["kinds"]["like"]
    assert like["api_requests"] == 1
    # post.liked, and notification.created when it notifies someone else (a like of one's own post does not)
    assert 1 <= like["sns_publishes"] <= 2
    assert like["dynamodb_write_units"] >= 4  # the like and the post's count, each twice in a transaction
    assert like["lambda_invocations"] >= 2  # the API's, and the notifier's


def test_a_feed_page_reads_and_writes_nothing(tiny_run):
    feed = tiny_run["kinds"]["feed"]
    assert feed["api_requests"] == 1
    assert feed["dynamodb_read_units"] > 0
    assert feed["dynamodb_write_units"] == 0
    assert feed["sns_publishes"] == 0


def test_the_months_are_the_user_day_priced(tiny_run):
    per_day, months = tiny_run["per_day"], tiny_run["months"]
    assert per_day["api_requests"] == 2
    thousand = months["1000"]
    assert thousand["lines"]["API Gateway"] == pytest.approx(2 * 1000 * 30 * 3.50 / 1e6)
    assert thousand["total"] == pytest.approx(sum(thousand["lines"].values()))
    idle = months["0"]
    assert idle["lines"]["CloudWatch alarms"] == pytest.approx(tiny_run["stage"]["alarms"] * 0.10)
    assert idle["total"] < thousand["total"] < months["100000"]["total"]
