"""Least-privilege IAM policies, one per function and stage, made from the
same definitions as the resources: exact actions, and only this stage's
tables, topic, queues, bucket and secret. A consumer gets exactly the
tables, and the kind of access, its declaration lists
(chalicelib/consumers/__init__.py), which a test holds to what its code
touches; the media bucket is named with the stack's account and region.

    python -m infra.policies     # rewrites .chalice/policy-<stage>-<function>.json and the config's mapping

tests/integration/test_package.py fails if the committed files drift from
what this module makes.
"""
from __future__ import annotations

import json
from email.utils import parseaddr
from pathlib import Path

from chalicelib.consumers import CONSUMERS
from chalicelib.consumers.batch import READ, WRITE, Consumer
from chalicelib.media_files import EXPORTS_PREFIX, UPLOADS_PREFIX
from infra import resources

CHALICE_DIR = Path(__file__).resolve().parent.parent / ".chalice"
STAGES = ("dev", "prod")
API_FUNCTION = "api_handler"
RELAY_FUNCTION = "outbox_relay"
# The WebSocket API's handlers (chalicelib/api/realtime.py), as Chalice names
# their functions. Posting to connections (the message handler's pong, the
# push consumer's frames) is granted by the template, on the stage's
# WebSocket API only, whose id exists only there (infra/cloudformation.py).
WEBSOCKET_CONNECT, WEBSOCKET_DISCONNECT, WEBSOCKET_MESSAGE = (
    "websocket_connect", "websocket_disconnect", "websocket_message")
WEBSOCKET_FUNCTIONS = (WEBSOCKET_CONNECT, WEBSOCKET_DISCONNECT, WEBSOCKET_MESSAGE)


def consumer_functions() -> dict[str, Consumer]:
    """Each consumer's Lambda function, by name."""
    return {consumer.function: consumer for consumer in CONSUMERS}


# A TransactWriteItems is authorised item by item: each Put, Update, Delete
# and ConditionCheck in it needs its own action.
_READS = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem"]
_WRITES = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
_READ_WRITE = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
               "dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:BatchGetItem"]
# What each kind of access a consumer declares allows.
ACCESS = {READ: _READS, WRITE: [*_READS, *_WRITES, "dynamodb:BatchWriteItem"]}


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:*:*:{resource}"


def _statement(sid: str, actions: list[str], resource) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _tables(prefix: str, only: set[str] | None = None) -> list[str]:
    arns = []
    for table in resources.tables():
        name = f"{prefix}-{table.logical_name}"
        if only is not None and table.logical_name not in only:
            continue
        arns.append(_arn("dynamodb", f"table/{name}"))
        if table.global_secondary_indexes:
            arns.append(_arn("dynamodb", f"table/{name}/index/*"))
    return arns


def _media_bucket(prefix: str) -> dict:
    """The stage's media bucket, named as the template names it: by the
    stack's account and region (CloudFormation substitutes them)."""
    return {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{resources.media_bucket_name(prefix)}"}


def _media_files(prefix: str, under: str) -> dict:
    return {"Fn::Sub": f"{_media_bucket(prefix)['Fn::Sub']}/{under}*"}


def _consumer_statements(consumer: Consumer, prefix: str, topic: str) -> list[dict]:
    statements = []
    for access, sid in ((READ, "ReadTables"), (WRITE, "WriteTables")):
        tables = {name for name, declared in consumer.tables.items() if declared == access}
        if tables:
            statements.append(_statement(sid, ACCESS[access], _tables(prefix, only=tables)))
    statements.append(_statement("ConsumeQueue", ["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                  "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
                                 _arn("sqs", f"{prefix}-{consumer.name}")))
    if consumer.publishes:
        statements.append(_statement("PublishEvents", ["sns:Publish"], topic))
    for position, (under, actions) in enumerate(sorted(consumer.files.items())):
        statements.append(_statement(f"MediaFiles{position}", sorted(actions), _media_files(prefix, under)))
    if consumer.files:
        # Without it S3 answers 403, not 404, for a file that is not there (an
        # upload deleted by an earlier delivery): an error, not an answer.
        statements.append(_statement("KnowWhatIsMissing", ["s3:ListBucket"], _media_bucket(prefix)))
    return statements


def _mail_sending(stage: str) -> list[dict]:
    """The mail consumer sends from the stage's own SES identity only: the
    domain of its MAIL_SENDER (.chalice/config.json), and from that address."""
    environment = json.loads((CHALICE_DIR / "config.json").read_text())["stages"][stage]["environment_variables"]
    sender = parseaddr(environment["MAIL_SENDER"])[1]
    domain = sender.rpartition("@")[2]
    return [
        {**_statement("SendMail", ["ses:SendEmail", "ses:SendRawEmail"], _arn("ses", f"identity/{domain}")),
         "Condition": {"StringEquals": {"ses:FromAddress": sender}}},
        # Its links carry tokens keyed with the signing secret.
        _statement("ReadJwtSecret", ["ssm:GetParameter"], _arn("ssm", f"parameter/instagram/{stage}/jwt-secret")),
    ]


def policy(function: str, stage: str) -> dict:
    prefix = f"instagram-{stage}"
    topic = _arn("sns", f"{prefix}-{resources.TOPIC}")
    logs = _statement("Logs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                      _arn("logs", f"log-group:/aws/lambda/instagram-{stage}*"))
    # X-Ray has no resource-level permissions for sending traces.
    tracing = _statement("Tracing", ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*")
    if function == API_FUNCTION:
        statements = [
            _statement("Tables", _READ_WRITE, _tables(prefix)),
            _statement("PublishEvents", ["sns:Publish"], topic),
            _statement("ReadJwtSecret", ["ssm:GetParameter"], _arn("ssm", f"parameter/instagram/{stage}/jwt-secret")),
            # An upload form is signed with the API's own right to put the file.
            _statement("SignUploads", ["s3:PutObject"], _media_files(prefix, UPLOADS_PREFIX)),
            # And an export's link with its right to read the archive.
            _statement("SignExportLinks", ["s3:GetObject"], _media_files(prefix, EXPORTS_PREFIX)),
        ]
    elif function == WEBSOCKET_CONNECT:
        statements = [
            _statement("ReadTokenHolder", ["dynamodb:GetItem"], _tables(prefix, only={"users"})),
            _statement("AddConnection", ["dynamodb:PutItem"], _tables(prefix, only={"connections"})),
            _statement("ReadJwtSecret", ["ssm:GetParameter"], _arn("ssm", f"parameter/instagram/{stage}/jwt-secret")),
        ]
    elif function == WEBSOCKET_DISCONNECT:
        statements = [_statement("RemoveConnection", ["dynamodb:Query", "dynamodb:DeleteItem"],
                                 _tables(prefix, only={"connections"}))]
    elif function == WEBSOCKET_MESSAGE:
        statements = []  # it only posts its pong: the template's grant
    elif function == RELAY_FUNCTION:
        statements = [
            _statement("Outbox", ["dynamodb:Query", "dynamodb:DeleteItem"], _tables(prefix, only={"outbox"})),
            _statement("PublishEvents", ["sns:Publish"], topic),
        ]
    else:
        consumer = consumer_functions()[function]
        statements = _consumer_statements(consumer, prefix, topic)
        if consumer.sends_mail:
            statements.extend(_mail_sending(stage))
    return {"Version": "2012-10-17", "Statement": [*statements, logs, tracing]}


def functions() -> list[str]:
    return [API_FUNCTION, *consumer_functions(), RELAY_FUNCTION, *WEBSOCKET_FUNCTIONS]


def file_name(function: str, stage: str) -> str:
    return f"policy-{stage}-{function}.json"


def write_all() -> None:
    config_path = CHALICE_DIR / "config.json"
    config = json.loads(config_path.read_text())
    for stage in STAGES:
        # Other per-function settings (memory, say) are kept.
        configured = config["stages"][stage].get("lambda_functions", {})
        mapping = {}
        for function in functions():
            (CHALICE_DIR / file_name(function, stage)).write_text(json.dumps(policy(function, stage), indent=2) + "\n")
            mapping[function] = {**configured.get(function, {}), "iam_policy_file": file_name(function, stage)}
        config["stages"][stage]["lambda_functions"] = mapping
        config["stages"][stage].pop("iam_policy_file", None)
    config_path.write_text(json.dumps(config, indent=2) + "\n")


if __name__ == "__main__":
    write_all()
