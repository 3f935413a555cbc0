"""The cost model's arithmetic (infra/costs.py): units from sizes, prices
times counts, a month from a user-day, and the idle floor."""
import pytest

from infra import costs


def test_dynamodb_read_units_are_4_kb_started_halved_when_eventually_consistent():
    assert costs.read_units(0) == 0.5
    assert costs.read_units(4096) == 0.5
    assert costs.read_units(4097) == 1
    assert costs.read_units(4097, consistent=True) == 2
    assert costs.read_units(100, transactional=True) == 2


def test_dynamodb_write_units_are_1_kb_started_doubled_in_a_transaction():
    assert costs.write_units(1) == 1
    assert costs.write_units(1024) == 1
    assert costs.write_units(1025) == 2
    assert costs.write_units(1025, transactional=True) == 4


def test_dollars_are_counts_times_list_prices():
    usage = costs.Usage(api_requests=1e6, lambda_invocations=1e6, lambda_gb_seconds=1e5,
                        dynamodb_read_units=1e6, dynamodb_write_units=1e6, sns_publishes=1e6, sqs_requests=1e6)
    bill = costs.dollars(usage, costs.Stage())
    assert bill["API Gateway"] == pytest.approx(3.50)
    assert costs.dollars(usage, costs.Stage(api="http"))["API Gateway"] == pytest.approx(1.00)
    assert bill["Lambda"] == pytest.approx(0.20 + 1e5 * 0.0000166667)
    assert bill["DynamoDB"] == pytest.approx(0.125 + 0.625)
    assert bill["SNS"] == pytest.approx(0.50)
    assert bill["SQS"] == pytest.approx(0.40)


def test_x_ray_traces_every_invocation_or_only_the_api_requests_whose_events_join_them():
    usage = costs.Usage(api_requests=100, lambda_invocations=250)
    assert costs.traces(usage, costs.Stage()) == 250
    assert costs.traces(usage, costs.Stage(consumers_traced=False)) == 100
    assert costs.traces(usage, costs.Stage(consumers_traced=False, api_traced=False)) == 0
    assert costs.dollars(usage, costs.Stage(consumers_traced=False), 0.5)["X-Ray"] == pytest.approx(50 * 5 / 1e6)


def test_x_ray_keeps_the_reservoir_then_its_rate():
    stage = costs.Stage(trace_reservoir=1, trace_rate=0.05)
    month_seconds = costs.DAYS_PER_MONTH * 86_400
    assert costs.traced_share(stage, month_seconds * 0.5) == pytest.approx(1)  # half a trace a second
    assert costs.traced_share(stage, month_seconds * 21) == pytest.approx((1 + 0.05 * 20) / 21)
    assert costs.traced_share(costs.Stage(trace_reservoir=0, trace_rate=0.01), month_seconds) == pytest.approx(0.01)
    assert costs.traced_share(stage, 0) == 0


def test_a_month_is_the_user_day_times_users_and_days_plus_the_idle_floor():
    stage = costs.Stage(alarms=10, custom_metrics=4, event_source_mappings=2, scheduled_invocations_per_month=100)
    day = costs.Usage(api_requests=100, dynamodb_read_units=800)
    busy, idle = costs.month(day, 1000, stage), costs.idle_month(stage)
    assert busy.lines["API Gateway"] == pytest.approx(100 * 1000 * 30 * 3.50 / 1e6)
    assert busy.lines["DynamoDB"] == pytest.approx((800 * 1000 * 30 + 100 * 0.5) * 0.125 / 1e6)
    assert idle.lines["CloudWatch alarms"] == busy.lines["CloudWatch alarms"] == pytest.approx(1.0)
    assert "CloudWatch metrics" not in idle.lines  # metrics bill only the hours they receive values
    assert busy.lines["CloudWatch metrics"] == pytest.approx(1.2)
    polls = 2 * costs.IDLE_POLLERS_PER_MAPPING * 30 * 86_400 / costs.LONG_POLL_SECONDS
    assert idle.lines["SQS"] == pytest.approx(polls * 0.40 / 1e6)
    assert busy.total == pytest.approx(sum(busy.lines.values()))
