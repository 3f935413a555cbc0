"""What one active user's day costs on AWS, and so the month of a community,
from counting what the real code does: the program behind `make bench`'s
section `cost` (bench/sections/cost.py runs it in a process of its own, as
it sets up its own stage and mocked AWS: `python -m bench.cost_model` from
scripts/).

It plays a user-day mix (COST_MIX, e.g. "feed=30,post_view=15,..."; the
default is DEFAULT_MIX) for COST_DAYS user-days (default 20), spread over a
small world of COST_USERS users who follow each other and have posted
photos, in-process over moto with the very app and consumers (chalice's
test client, and the pump draining every queue after each request, as
Lambda's event source mappings would). Every AWS call the API and the
consumers make is counted in the units AWS bills (DynamoDB read and write
units from the items' sizes, and so on: infra/costs.py), with each
request's consumer work counted to the request kind that caused it. What
cannot be counted in-process is modelled, and said so in docs/cost.md:
Lambda durations (DURATION_MODEL), photo bytes served (RENDITION_BYTES).

Prints the usage and dollars per request kind, then the month for 1,000
and 100,000 daily users and the idle floor, with the stage's make-up
(tracing, API kind, alarms) read from the template `make package` renders."""
from __future__ import annotations

import functools
import io
import itertools
import json
import logging
import math
import os
import random
import sys
from collections import Counter, defaultdict
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# Before the app is imported: a stage of its own, fake credentials, no
# endpoint (moto intercepts in-process calls only), and limits out of the way.
os.environ.update(
    STAGE="local",
    RESOURCE_PREFIX="instagram-cost",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_DEFAULT_REGION="us-east-1",
    BCRYPT_ROUNDS="4",
    EVENTS_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:instagram-cost-events",
    MEDIA_BUCKET="instagram-cost-media",
    WRITES_PER_USER="1000000",
    UPLOADS_PER_USER="1000000",
    LOGIN_ATTEMPTS_PER_ADDRESS="1000000",
    LOGIN_ATTEMPTS_PER_ACCOUNT="1000000",
)
os.environ.pop("AWS_ENDPOINT_URL", None)

from infra import costs  # noqa: E402

# An active user's day: what the issue counted from outside (requests of each
# kind a day). A fraction is played as often as it adds up to over the run.
DEFAULT_MIX = {
    "feed": 30, "post_view": 15, "profile": 10, "like": 10, "comment": 2, "message": 5,
    "conversation": 5, "notifications": 10, "search": 3, "post": 0.3,
}

# Lambda time is not measurable in-process: a function waits on AWS, so it is
# modelled from what it waits for (milliseconds; typical in-region latencies).
DURATION_MODEL = {
    "base": 5, "dynamodb": 5, "sns": 15, "sqs": 10, "s3": 20, "sesv2": 25, "decode_photo": 300,
}
# Bytes of a rendition as served; a phone shows the 1080 px one in the feed
# and on a post, the 320 px one in a profile's grid. Browsers keep them
# (immutable, a year), so each URL is fetched once a user-day.
RENDITION_BYTES = {"url": 180_000, "thumbnail_url": 25_000}

WORLD_POSTS_PER_USER = 4
WORLD_FOLLOWS_PER_USER = 10


@dataclass
class Invocation:
    function: str
    memory_mb: int
    calls: Counter

    def gb_seconds(self) -> float:
        ms = DURATION_MODEL["base"] + sum(DURATION_MODEL.get(service, 0) * n for service, n in self.calls.items())
        if self.function == "upload_processor":
            ms += DURATION_MODEL["decode_photo"]
        return math.ceil(ms) / 1000 * self.memory_mb / 1024


class Meter:
    """Counts what AWS would bill for every call made while a kind is set,
    to that kind."""

    def __init__(self, memory: dict[str, int]):
        self.memory = memory
        self.kind = "setup"
        self.usage: dict[str, costs.Usage] = defaultdict(costs.Usage)
        self.plays: Counter = Counter()
        self.metrics: set = set()
        self._invocation: Invocation | None = None
        self._indexes: dict[str, list[dict]] = {}
        self._served: set = set()

    # --- invocations ------------------------------------------------------------------
    @contextmanager
    def invocation(self, function: str):
        outer, self._invocation = self._invocation, Invocation(function, self.memory.get(function, 512), Counter())
        try:
            yield
        finally:
            done, self._invocation = self._invocation, outer
            usage = self.usage[self.kind]
            usage.lambda_invocations += 1
            usage.lambda_gb_seconds += done.gb_seconds()
            usage.log_bytes += costs.PLATFORM_LOG_BYTES_PER_INVOCATION

    def consumer_batch(self, messages: int) -> None:
        """What Lambda's event source mapping does for a batch: a receive and
        a delete, after SNS delivered each message (an SQS request each)."""
        self.usage[self.kind].sqs_requests += 2 + messages

    def served(self, body) -> None:
        """The photos a client would fetch to show this response."""
        for url, size in _renditions(body):
            if url not in self._served:
                self._served.add(url)
                self.usage[self.kind].served_bytes += size
                self.usage[self.kind].served_requests += 1

    def new_day(self) -> None:
        self._served.clear()

    def logged(self, line: str) -> None:
        self.usage[self.kind].log_bytes += len(line.encode()) + 1
        try:
            entry = json.loads(line)
        except ValueError:
            return
        for block in entry.get("_aws", {}).get("CloudWatchMetrics", []):
            for names in block["Dimensions"]:
                dimensions = tuple((name, str(entry.get(name))) for name in names)
                for metric in block["Metrics"]:
                    self.metrics.add((block["Namespace"], metric["Name"], dimensions))

    # --- AWS calls ----------------------------------------------------------------------
    def call(self, client, operation: str, params: dict, call_through):
        service = client.meta.service_model.service_name
        if self._invocation is not None:
            self._invocation.calls[service] += 1
        usage = self.usage[self.kind]
        if service == "dynamodb":
            return self._dynamodb(client, operation, params, call_through, usage)
        result = call_through(client, operation, params)
        if service == "sns" and operation == "Publish":
            usage.sns_publishes += 1
        elif service == "sns" and operation == "PublishBatch":
            usage.sns_publishes += len(params["PublishBatchRequestEntries"])
        elif service == "s3" and operation in ("PutObject", "CopyObject", "DeleteObject", "PutObjectTagging",
                                                "DeleteObjects", "ListObjectsV2"):
            usage.s3_puts += 1
        elif service == "s3" and operation in ("GetObject", "HeadObject", "GetObjectTagging"):
            usage.s3_gets += 1
        elif service == "sesv2" and operation == "SendEmail":
            usage.emails += 1
        return result

    def _dynamodb(self, client, operation, params, call_through, usage: costs.Usage):
        def size_of(table: str, key: dict) -> int:
            item = call_through(client, "GetItem", {"TableName": table, "Key": key, "ConsistentRead": True})
            return item_bytes(item.get("Item", {}))

        def written(table: str, item_size: int, item: dict, transactional: bool = False) -> float:
            units = costs.write_units(item_size, transactional)
            for index in self._gsis(client, table, call_through):
                if all(name in item for name in index):
                    units += costs.write_units(item_size, transactional)
            return units

        if operation == "GetItem":
            result = call_through(client, operation, params)
            usage.dynamodb_read_units += costs.read_units(item_bytes(result.get("Item", {})),
                                                          params.get("ConsistentRead", False))
        elif operation == "Query":
            result = call_through(client, operation, params)
            usage.dynamodb_read_units += costs.read_units(sum(item_bytes(i) for i in result.get("Items", [])),
                                                          params.get("ConsistentRead", False))
        elif operation == "BatchGetItem":
            result = call_through(client, operation, params)
            for table, request in params["RequestItems"].items():
                found = result.get("Responses", {}).get(table, [])
                consistent = request.get("ConsistentRead", False)
                usage.dynamodb_read_units += sum(costs.read_units(item_bytes(i), consistent) for i in found)
                usage.dynamodb_read_units += costs.read_units(0, consistent) * (len(request["Keys"]) - len(found))
        elif operation == "TransactGetItems":
            result = call_through(client, operation, params)
            usage.dynamodb_read_units += sum(costs.read_units(item_bytes(r.get("Item", {})), transactional=True)
                                             for r in result.get("Responses", []))
        elif operation in ("PutItem", "UpdateItem", "DeleteItem"):
            table = params["TableName"]
            key = params.get("Key") or self._key(client, table, params["Item"], call_through)
            before = size_of(table, key)
            try:
                result = call_through(client, operation, params)
            finally:
                after_item = call_through(client, "GetItem", {"TableName": table, "Key": key,
                                                              "ConsistentRead": True}).get("Item", {})
                size = max(before, item_bytes(after_item))
                usage.dynamodb_write_units += written(table, size, after_item or params.get("Item", {}))
        elif operation == "BatchWriteItem":
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    item = request.get("PutRequest", {}).get("Item") or {}
                    size = item_bytes(item) if item else size_of(table, request["DeleteRequest"]["Key"])
                    usage.dynamodb_write_units += written(table, size, item)
            result = call_through(client, operation, params)
        elif operation == "TransactWriteItems":
            targets = []
            for entry in params["TransactItems"]:
                (kind, action), = entry.items()
                table = action["TableName"]
                key = action.get("Key") or self._key(client, table, action["Item"], call_through)
                targets.append((table, key, size_of(table, key), action.get("Item", {})))
            try:
                result = call_through(client, operation, params)
            finally:
                for table, key, before, item in targets:
                    after_item = call_through(client, "GetItem", {"TableName": table, "Key": key,
                                                                  "ConsistentRead": True}).get("Item", {})
                    size = max(before, item_bytes(after_item))
                    usage.dynamodb_write_units += written(table, size, after_item or item, transactional=True)
        else:  # DescribeTable and the like: not billed
            result = call_through(client, operation, params)
        return result

    def _gsis(self, client, table: str, call_through) -> list[list[str]]:
        """The key attributes of each of the table's global secondary indexes."""
        if table not in self._indexes:
            description = call_through(client, "DescribeTable", {"TableName": table})["Table"]
            self._indexes[table] = [[key["AttributeName"] for key in index["KeySchema"]]
                                    for index in description.get("GlobalSecondaryIndexes", [])]
            self._indexes[table + "#key"] = [key["AttributeName"] for key in description["KeySchema"]]
        return self._indexes[table]

    def _key(self, client, table: str, item: dict, call_through) -> dict:
        self._gsis(client, table, call_through)
        return {name: item[name] for name in self._indexes[table + "#key"]}


def item_bytes(item: dict) -> int:
    """An item's size as DynamoDB bills it: names plus values."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.items())


def _value_bytes(value: dict) -> int:
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return math.ceil(len(content.lstrip("-").replace(".", "").lstrip("0") or "0") / 2) + 1
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + _value_bytes(part) for part in content)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_bytes(part) for name, part in content.items())
    if kind in ("SS", "NS", "BS"):
        return sum(_value_bytes({kind[0]: part}) for part in content)
    raise ValueError(f"unknown DynamoDB type {kind}")


def _renditions(body):
    """(url, bytes) of every rendition a response shows."""
    if isinstance(body, list):
        for part in body:
            yield from _renditions(part)
    elif isinstance(body, dict):
        for name, value in body.items():
            if name in RENDITION_BYTES and isinstance(value, str) and value.startswith("http"):
                yield value, RENDITION_BYTES[name]
            elif isinstance(value, (dict, list)):
                yield from _renditions(value)


# --- the run -----------------------------------------------------------------------------

def parse_mix(text: str | None) -> dict[str, float]:
    if not text:
        return dict(DEFAULT_MIX)
    mix = {}
    for part in text.split(","):
        name, _, value = part.partition("=")
        if name.strip() not in DEFAULT_MIX:
            raise SystemExit(f"COST_MIX: unknown kind {name!r}; kinds: {', '.join(DEFAULT_MIX)}")
        mix[name.strip()] = float(value)
    return mix


def schedule(mix: dict[str, float], days: int, seed: int = 1) -> list[list[str]]:
    """The kinds each user-day plays, in a shuffled order: every whole count
    each day, and a fraction on as many days as it adds up to over the run."""
    rng = random.Random(seed)
    plan = [[] for _ in range(days)]
    for kind, per_day in mix.items():
        whole, fraction = divmod(per_day, 1)
        extra = set(rng.sample(range(days), round(fraction * days)))
        for day in range(days):
            plan[day] += [kind] * (int(whole) + (day in extra))
    for day in plan:
        rng.shuffle(day)
    return plan


def measure(mix: dict[str, float], days: int, users: int) -> tuple[dict[str, costs.Usage], Counter, int]:
    """Usage per request kind over the run, how many of each kind were
    played, and how many distinct custom metrics appeared."""
    import boto3
    from chalice.test import Client
    from moto import mock_aws

    from app import app
    from infra.provision import provision
    from infra.pump import EventPump
    from tests.helpers import intercepting_aws_calls

    meter = Meter(_memory_sizes())
    with mock_aws():
        provision()
        # The local stage prints each mail it sends: not this command's output.
        with Client(app) as test_client, _logs_counted(meter), intercepting_aws_calls(meter.call), \
                redirect_stdout(io.StringIO()):
            pump = EventPump(app, boto3.client("sqs"), retry_delay=lambda receives: 0)
            _metered_consumers(pump, meter)
            world = World(test_client.http, pump, meter, users)
            world.build()
            for day, kinds in enumerate(schedule(mix, days)):
                person = world.people[day % len(world.people)]
                meter.new_day()
                for kind in kinds:
                    meter.kind = kind
                    meter.plays[kind] += 1
                    getattr(world, kind)(person)
                    pump.drain()
    del meter.usage["setup"]
    return dict(meter.usage), meter.plays, len(meter.metrics)


def _metered_consumers(pump, meter: Meter) -> None:
    for consumer in pump.consumers:
        def handler(event, context, _real=consumer.handler, _name=consumer.name):
            meter.consumer_batch(len(event["Records"]))
            with meter.invocation(_name):
                return _real(event, context)
        pump.consumers[pump.consumers.index(consumer)] = consumer.__class__(
            consumer.name, consumer.queue_name, consumer.batch_size, handler)


@contextmanager
def _logs_counted(meter: Meter):
    """Every line the app's JSON loggers write goes to the meter instead of
    stdout."""
    class Sink(io.TextIOBase):
        def write(self, text):
            for line in text.splitlines():
                if line:
                    meter.logged(line)
            return len(text)

    handlers = [handler for logger in list(logging.root.manager.loggerDict.values())
                if isinstance(logger, logging.Logger) for handler in logger.handlers
                if isinstance(handler, logging.StreamHandler)]
    streams = [handler.setStream(Sink()) for handler in handlers]
    try:
        yield
    finally:
        for handler, stream in zip(handlers, streams):
            handler.setStream(stream)


def _memory_sizes() -> dict[str, int]:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    default = config.get("lambda_memory_size", 128)
    functions = config["stages"].get("prod", {}).get("lambda_functions", {})
    return defaultdict(lambda: default, {name: spec.get("lambda_memory_size", default)
                                         for name, spec in functions.items()})


class World:
    """A few users who follow each other and have posted photos; each
    method is one kind of the mix, played as a phone app would play it."""

    def __init__(self, http, pump, meter: Meter, users: int):
        self.http, self.pump, self.meter, self.size = http, pump, meter, users
        self.people: list = []
        self.posts: list[int] = []
        self._next = itertools.count()
        self._cursors: dict[int, str | None] = {}

    def _json(self, method: str, path: str, token: str, body=None, expect=(200, 201, 202)):
        from tests.helpers import auth_headers
        headers = {"Content-Type": "application/json", **auth_headers(token)}
        with self.meter.invocation("api_handler"):
            response = getattr(self.http, method)(path, headers=headers,
                                                  **({"body": json.dumps(body)} if body is not None else {}))
        self.meter.usage[self.meter.kind].api_requests += 1
        if response.status_code not in expect:
            raise RuntimeError(f"{method.upper()} {path}: {response.status_code} {response.json_body}")
        self.meter.served(response.json_body)
        return response

    def build(self) -> None:
        from tests.helpers import register_and_login
        rng = random.Random(2)
        self.people = [register_and_login(self.http, f"costuser{n}") for n in range(self.size)]
        self.pump.drain()
        for person in self.people:
            others = [p for p in self.people if p is not person]
            for followed in rng.sample(others, min(WORLD_FOLLOWS_PER_USER, len(others))):
                self._json("post", f"/api/follow/{followed.id}", person.token)
        for person in self.people:
            for _ in range(WORLD_POSTS_PER_USER):
                self.post(person)
        self.pump.drain()

    def _someone_else(self, person):
        return self.people[(self.people.index(person) + 1 + next(self._next) % (len(self.people) - 1))
                           % len(self.people)]

    def _a_post(self) -> int:
        return self.posts[next(self._next) % len(self.posts)]

    # --- the kinds ------------------------------------------------------------------------
    def feed(self, person) -> None:
        cursor = self._cursors.get(person.id)
        response = self._json("get", "/api/feed?limit=20" + (f"&cursor={cursor}" if cursor else ""), person.token)
        self._cursors[person.id] = {k.lower(): v for k, v in response.headers.items()}.get("x-next-cursor")

    def post_view(self, person) -> None:
        self._json("get", f"/api/posts/{self._a_post()}", person.token)

    def profile(self, person) -> None:
        other = self._someone_else(person)
        self._json("get", f"/api/users/{other.id}", person.token)
        self._json("get", f"/api/users/{other.id}/posts?limit=12", person.token)

    def like(self, person) -> None:
        self._json("post", f"/api/posts/{self._a_post()}/likes", person.token)

    def comment(self, person) -> None:
        self._json("post", f"/api/posts/{self._a_post()}/comments", person.token, {"content": "Lovely light"})

    def message(self, person) -> None:
        other = self._someone_else(person)
        self._json("post", "/api/messages", person.token, {"receiver_id": other.id, "content": "See you at 8?"})

    def conversation(self, person) -> None:
        self._json("get", f"/api/messages/{self._someone_else(person).id}", person.token)

    def notifications(self, person) -> None:
        self._json("get", "/api/notifications", person.token)

    def search(self, person) -> None:
        self._json("get", "/api/search/users?q=costuser1", person.token)

    def post(self, person) -> None:
        """A phone's new post: an upload form, the photo sent to S3 (which
        fires the uploads consumer), the poll until ready, the post."""
        import boto3

        from chalicelib.config import media_bucket
        media = self._json("post", "/api/media", person.token,
                           {"content_type": "image/jpeg", "size_bytes": len(_photo())}).json_body
        boto3.client("s3").put_object(Bucket=media_bucket(), Key=media["upload"]["fields"]["key"], Body=_photo())
        self.pump.drain()
        self._json("get", f"/api/media/{media['id']}", person.token)
        post = self._json("post", "/api/posts", person.token,
                          {"content": "Golden hour #sunset", "media_ids": [media["id"]]}).json_body
        self.posts.append(post["id"])


@functools.cache
def _photo() -> bytes:
    """A phone photo's worth of JPEG (its pixels do not matter here)."""
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (1600, 1200), (180, 120, 60)).save(out, "JPEG")
    return out.getvalue()


# --- the stage's make-up, from its template ------------------------------------------------

def stage_make_up() -> costs.Stage:
    """What the packaged template says of the things that cost by the month
    (API_GATEWAY=http prices the stage behind an HTTP API, as it packages it)."""
    from chalice.app import ScheduledEventConfig, SQSEventConfig

    from app import app
    from infra.cloudformation import API_HANDLER_ID, functions, template
    from infra.http_api import HTTP_API_ID

    described = template(app)["Resources"]
    resources = described.values()
    rules = [r["Properties"]["SamplingRule"] for r in resources if r.get("Type") == "AWS::XRay::SamplingRule"]
    schedules = [source for source in app.event_sources if isinstance(source, ScheduledEventConfig)]
    per_month = sum(_runs_per_month(source.schedule_expression) for source in schedules)
    return costs.Stage(
        api="http" if HTTP_API_ID in described else "rest",
        api_traced=described[API_HANDLER_ID]["Properties"].get("Tracing") != "PassThrough",
        trace_reservoir=rules[0]["ReservoirSize"] if rules else 1,
        trace_rate=rules[0]["FixedRate"] if rules else 0.05,
        consumers_traced=any(described[function]["Properties"].get("Tracing") != "PassThrough"
                             for function in functions(app) if function != API_HANDLER_ID),
        alarms=sum(1 for r in resources if r.get("Type") == "AWS::CloudWatch::Alarm"),
        composite_alarms=sum(1 for r in resources if r.get("Type") == "AWS::CloudWatch::CompositeAlarm"),
        event_source_mappings=sum(1 for source in app.event_sources if isinstance(source, SQSEventConfig)),
        scheduled_invocations_per_month=per_month,
        scheduled_gb_seconds_each=DURATION_MODEL["base"] / 1000 * 0.5,
    )


def _runs_per_month(expression) -> float:
    text = expression if isinstance(expression, str) else expression.to_string()
    if text.startswith("rate("):
        amount, unit = text[5:-1].split()
        seconds = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[unit]
        return costs.DAYS_PER_MONTH * 86_400 / (int(amount) * seconds)
    return costs.DAYS_PER_MONTH  # a cron expression: taken as daily


# --- printing ------------------------------------------------------------------------------

def summary(usage: dict[str, costs.Usage], plays: Counter, metrics: int, mix: dict[str, float],
            stage: costs.Stage) -> dict:
    """A user-day's usage, each kind's, and the months: what report prints
    and COST_JSON writes."""
    stage = costs.Stage(**{**stage.__dict__, "custom_metrics": metrics})
    kinds = {kind: usage[kind].scaled(mix[kind] / plays[kind]) for kind in mix if plays[kind]}
    per_day = sum(kinds.values(), costs.Usage())
    return {
        "stage": stage,
        "kinds": kinds,
        "each": {kind: usage[kind].scaled(1 / plays[kind]) for kind in kinds},
        "per_day": per_day,
        # Each kind's dollars at the share of traces the whole mix leaves traced.
        "trace_share": costs.traced_share(stage, costs.traces(per_day, stage) * 1000 * costs.DAYS_PER_MONTH),
        "months": {users: costs.month(per_day, users, stage) for users in (1000, 100_000, 0)},
    }


def _tracing(stage: costs.Stage) -> str:
    if not (stage.consumers_traced or stage.api_traced):
        return "no traces"
    return (f"traces {stage.trace_reservoir:g}/s + {stage.trace_rate:.0%}"
            f" of {'every invocation' if stage.consumers_traced else 'API requests'}")


def report(result: dict, mix: dict[str, float], days: int) -> str:
    stage, per_day = result["stage"], result["per_day"]
    lines = [f"cost: {days} user-days, prices of {costs.PRICES_DATE} (us-east-1)",
             f"stage: API {stage.api}, {_tracing(stage)},"
             f" {stage.alarms} alarms + {stage.composite_alarms} composite, {stage.custom_metrics} custom metrics, "
             f"{stage.event_source_mappings} event source mappings", "",
             f"{'kind':<14}{'a day':>6}{'requests':>9}{'lambda':>8}{'RRU':>8}{'WRU':>8}{'events':>7}"
             f"{'$/month, 1k users':>19}"]
    for kind, day in result["kinds"].items():
        each = result["each"][kind]
        month = sum(costs.dollars(day.scaled(1000 * costs.DAYS_PER_MONTH), stage, result["trace_share"]).values())
        lines.append(f"{kind:<14}{mix[kind]:>6g}{each.api_requests:>9.1f}{each.lambda_invocations:>8.1f}"
                     f"{each.dynamodb_read_units:>8.1f}{each.dynamodb_write_units:>8.1f}{each.sns_publishes:>7.1f}"
                     f"{month:>19.2f}")
    lines += ["", f"a user-day: {per_day.api_requests:.1f} requests, {per_day.lambda_invocations:.1f} invocations, "
                  f"{per_day.dynamodb_read_units:.0f} RRU, {per_day.dynamodb_write_units:.0f} WRU, "
                  f"{per_day.sns_publishes:.1f} events, {per_day.log_bytes / 1000:.0f} KB of logs, "
                  f"{per_day.served_bytes / 1e6:.1f} MB of photos served", ""]
    for users, month in result["months"].items():
        label = f"{users:,} daily users" if users else "idle"
        parts = ", ".join(f"{name} {value:.2f}" for name, value in sorted(month.lines.items(), key=lambda i: -i[1])
                          if value >= 0.005)
        lines.append(f"month, {label}: ${month.total:,.2f}  ({parts})")
    return "\n".join(lines)


def main() -> None:
    mix = parse_mix(os.environ.get("COST_MIX"))
    days = int(os.environ.get("COST_DAYS", 20))
    users = int(os.environ.get("COST_USERS", 12))
    stage = stage_make_up()
    usage, plays, metrics = measure(mix, days, users)
    result = summary(usage, plays, metrics, mix, stage)
    print(report(result, mix, days))
    if os.environ.get("COST_JSON"):
        Path(os.environ["COST_JSON"]).write_text(json.dumps({
            "per_day": result["per_day"].__dict__,
            "kinds": {kind: day.__dict__ for kind, day in result["kinds"].items()},
            "stage": result["stage"].__dict__,
            "months": {str(users): {"total": month.total, "lines": month.lines}
                       for users, month in result["months"].items()},
        }, indent=1))


if __name__ == "__main__":
    main()
