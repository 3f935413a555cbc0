"""What a stage costs on AWS: one table of list prices with their date, the
usage one active user's day makes (measured by `make bench` section `cost`,
scripts/bench/cost_model.py), and the month of a community of N daily users, plus
the floor a stage pays with nobody using it.

Prices are us-east-1 list prices, on demand, without the free tier (a
stage that shares an account with others cannot count on it). Everything
here is arithmetic on counts; nothing is measured in this module."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields

PRICES_DATE = "2026-12-01"
DAYS_PER_MONTH = 30

# US dollars per unit named by the key.
PRICES = {
    "api_rest_request": 3.50 / 1e6,  # API Gateway REST API, first 333 M a month
    "api_http_request": 1.00 / 1e6,  # API Gateway HTTP API, first 300 M a month
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second": 0.0000166667,  # x86_64
    "dynamodb_read_unit": 0.125 / 1e6,  # on-demand
    "dynamodb_write_unit": 0.625 / 1e6,
    "dynamodb_gb_month": 0.25,
    "sns_publish": 0.50 / 1e6,  # deliveries to SQS are free
    "sqs_request": 0.40 / 1e6,  # standard queues, per 64 KB chunk
    "log_ingested_gb": 0.50,  # CloudWatch Logs, standard class
    "log_stored_gb_month": 0.03,
    "alarm_month": 0.10,  # a standard-resolution alarm on one metric
    "composite_alarm_month": 0.50,
    "custom_metric_month": 0.30,  # first 10,000 metrics
    "xray_trace": 5.00 / 1e6,  # traces recorded
    "s3_gb_month": 0.023,
    "s3_put": 0.005 / 1e3,
    "s3_get": 0.0004 / 1e3,
    "cloudfront_gb": 0.085,  # to the internet, first 10 TB
    "cloudfront_request": 0.0100 / 1e4,  # HTTPS
    "ses_message": 0.10 / 1e3,
    "vm_hour_4gb": 0.0416,  # EC2 t3.medium (2 vCPU, 4 GiB), for the comparison in docs/cost.md
    "ebs_gb_month": 0.08,  # gp3
}

# Lambda's own lines around every invocation (START, END, REPORT, and the
# platform's JSON when logging in JSON), which the code never sees.
PLATFORM_LOG_BYTES_PER_INVOCATION = 350

# How an event source mapping polls an empty SQS queue: Lambda keeps pollers
# long-polling (20 s) each queue whether or not a message comes. AWS does not
# publish the number; 5 pollers is what CloudTrail and SQS's NumberOfEmpty
# Receives show for an idle mapping (the issue's $0.8-2.1 for 8 mappings is
# 2 to 5 pollers).
IDLE_POLLERS_PER_MAPPING = 5
LONG_POLL_SECONDS = 20


@dataclass
class Usage:
    """What some requests and the work their events caused consumed, counted
    in the units AWS bills."""

    api_requests: float = 0
    lambda_invocations: float = 0
    lambda_gb_seconds: float = 0
    dynamodb_read_units: float = 0
    dynamodb_write_units: float = 0
    sns_publishes: float = 0
    sqs_requests: float = 0
    log_bytes: float = 0
    s3_puts: float = 0
    s3_gets: float = 0
    served_bytes: float = 0
    served_requests: float = 0
    emails: float = 0

    def __add__(self, other: "Usage") -> "Usage":
        return Usage(**{item.name: getattr(self, item.name) + getattr(other, item.name) for item in fields(self)})

    def scaled(self, factor: float) -> "Usage":
        return Usage(**{item.name: getattr(self, item.name) * factor for item in fields(self)})


@dataclass(frozen=True)
class Stage:
    """What of a stage's make-up changes its bill: the kind of HTTP API,
    how many traces are kept, the alarms and the metrics."""

    api: str = "rest"  # or "http"
    # X-Ray keeps the first `trace_reservoir` traces of each second and
    # `trace_rate` of the rest: Lambda's own rule (1 a second and 5%) unless
    # the template declares a sampling rule of its own.
    trace_reservoir: float = 1
    trace_rate: float = 0.05
    # Every function starts traces of its own (Active), or only the API's
    # requests do and their events' functions join them (PassThrough).
    consumers_traced: bool = True
    # The API's requests start traces (a REST stage's sampling rule), or
    # nothing does (an HTTP API has no X-Ray, and its function only joins).
    api_traced: bool = True
    alarms: int = 0
    composite_alarms: int = 0
    custom_metrics: int = 0
    event_source_mappings: int = 0
    scheduled_invocations_per_month: float = 0
    scheduled_gb_seconds_each: float = 0
    stored_gb: float = 0  # tables and photos kept, for the month's storage
    log_retention_months: float = 1


def traced_share(stage: Stage, traces_per_month: float) -> float:
    """The share of a month's invocations that X-Ray records, for traffic
    spread evenly over the month."""
    if not traces_per_month:
        return 0.0
    per_second = traces_per_month / (DAYS_PER_MONTH * 86_400)
    kept = min(per_second, stage.trace_reservoir) + stage.trace_rate * max(0.0, per_second - stage.trace_reservoir)
    return kept / per_second


def traces(usage: Usage, stage: Stage) -> float:
    """The traces usage may start, before sampling."""
    if stage.consumers_traced:
        return usage.lambda_invocations
    return usage.api_requests if stage.api_traced else 0.0


def dollars(usage: Usage, stage: Stage, trace_share: float = 1.0) -> dict[str, float]:
    """The bill of usage on stage, a line per service; trace_share of its
    traces kept (traced_share of the month's traffic)."""
    api_price = PRICES["api_http_request"] if stage.api == "http" else PRICES["api_rest_request"]
    log_gb = usage.log_bytes / 1e9
    return {
        "API Gateway": usage.api_requests * api_price,
        "Lambda": usage.lambda_invocations * PRICES["lambda_request"]
        + usage.lambda_gb_seconds * PRICES["lambda_gb_second"],
        "DynamoDB": usage.dynamodb_read_units * PRICES["dynamodb_read_unit"]
        + usage.dynamodb_write_units * PRICES["dynamodb_write_unit"],
        "SNS": usage.sns_publishes * PRICES["sns_publish"],
        "SQS": usage.sqs_requests * PRICES["sqs_request"],
        "CloudWatch Logs": log_gb * (PRICES["log_ingested_gb"] + stage.log_retention_months
                                      * PRICES["log_stored_gb_month"]),
        "X-Ray": traces(usage, stage) * trace_share * PRICES["xray_trace"],
        "S3 requests": usage.s3_puts * PRICES["s3_put"] + usage.s3_gets * PRICES["s3_get"],
        "CloudFront": usage.served_bytes / 1e9 * PRICES["cloudfront_gb"]
        + usage.served_requests * PRICES["cloudfront_request"],
        "SES": usage.emails * PRICES["ses_message"],
    }


def idle_usage(stage: Stage) -> Usage:
    """A month with no requests: the event source mappings' empty long polls
    and the scheduled functions (the outbox relay)."""
    polls = stage.event_source_mappings * IDLE_POLLERS_PER_MAPPING * DAYS_PER_MONTH * 86_400 / LONG_POLL_SECONDS
    runs = stage.scheduled_invocations_per_month
    return Usage(
        sqs_requests=polls,
        lambda_invocations=runs,
        lambda_gb_seconds=runs * stage.scheduled_gb_seconds_each,
        dynamodb_read_units=runs * 0.5,  # the relay's one Query of an empty index
        log_bytes=runs * PLATFORM_LOG_BYTES_PER_INVOCATION,
    )


def fixed_dollars(stage: Stage) -> dict[str, float]:
    """What the stage pays a month whatever its traffic."""
    return {
        "CloudWatch alarms": stage.alarms * PRICES["alarm_month"]
        + stage.composite_alarms * PRICES["composite_alarm_month"],
        "Storage": stage.stored_gb * PRICES["s3_gb_month"],
    }


def metrics_dollars(stage: Stage) -> dict[str, float]:
    """Custom metrics are billed for each hour they receive a value: a
    stage with traffic every hour pays them all month, an idle one nothing."""
    return {"CloudWatch metrics": stage.custom_metrics * PRICES["custom_metric_month"]}


@dataclass(frozen=True)
class Month:
    lines: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.lines.values())


def month(per_user_day: Usage, daily_users: int, stage: Stage) -> Month:
    """The month of daily_users each making per_user_day, every day, on
    stage: traffic, plus the idle floor (the pollers and the schedule run
    whatever the traffic), plus what is fixed."""
    traffic = per_user_day.scaled(daily_users * DAYS_PER_MONTH) + idle_usage(stage)
    lines = dollars(traffic, stage, traced_share(stage, traces(traffic, stage)))
    if daily_users:
        lines |= metrics_dollars(stage)
    lines |= fixed_dollars(stage)
    return Month(lines)


def idle_month(stage: Stage) -> Month:
    return month(Usage(), 0, stage)


# --- DynamoDB's units, from item sizes -------------------------------------------------

def read_units(item_bytes: int, consistent: bool = False, transactional: bool = False) -> float:
    """The read units of reading items of this many bytes in all (one item,
    or a Query's page): a unit per 4 KB started, half for an eventually
    consistent read, twice for a transactional one."""
    units = max(1, math.ceil(item_bytes / 4096))
    if transactional:
        return units * 2
    return units if consistent else units / 2


def write_units(item_bytes: int, transactional: bool = False) -> float:
    """The write units of writing one item: a unit per 1 KB started, twice
    in a transaction."""
    units = max(1, math.ceil(item_bytes / 1024))
    return units * 2 if transactional else units
