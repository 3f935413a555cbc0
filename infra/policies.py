"""Least-privilege IAM policies, one per function and stage, made from the
same definitions as the resources: exact actions, and only this stage's
tables, topic, queues and secret.

    python -m infra.policies     # rewrites .chalice/policy-<stage>-<function>.json and the config's mapping

tests/integration/test_package.py fails if the committed files drift from
what this module makes.
"""
from __future__ import annotations

import json
from pathlib import Path

from chalicelib.consumers import BUCKET_CONSUMERS, CONSUMERS
from chalicelib.media_files import RENDITIONS_PREFIX, UPLOADS_PREFIX
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


def consumer_functions() -> dict[str, str]:
    """Each consumer's Lambda function (its name in app.py) and its queue's
    logical name, as the app's SQS event sources declare them."""
    from chalice.app import SQSEventConfig

    from app import app

    return {
        source.name: next(name for name in _ALL_CONSUMERS if source.queue.endswith(f"-{name}"))
        for source in app.event_sources if isinstance(source, SQSEventConfig)
    }


_ALL_CONSUMERS = {**CONSUMERS, **BUCKET_CONSUMERS}

# A TransactWriteItems is authorised item by item: each Put, Update, Delete
# and ConditionCheck in it needs its own action.
_READ_WRITE = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
               "dynamodb:ConditionCheckItem", "dynamodb:Query", "dynamodb:BatchGetItem"]


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:*:*:{resource}"


def _statement(sid: str, actions: list[str], resource) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resource}


def _tables(prefix: str, only: str | None = None) -> list[str]:
    arns = []
    for table in resources.tables():
        name = f"{prefix}-{table.logical_name}"
        if only and table.logical_name != only:
            continue
        arns.append(_arn("dynamodb", f"table/{name}"))
        if table.global_secondary_indexes:
            arns.append(_arn("dynamodb", f"table/{name}/index/*"))
    return arns


# Consumers that run commands (which publish their events) or continue their
# work in a follow-up event.
PUBLISHING_CONSUMERS = {"follow-requests", "feed", "uploads", "notifications"}


def _media_bucket(prefix: str) -> str:
    """The stage's media bucket, whose name the template makes unique with
    the account and region."""
    return f"arn:aws:s3:::{prefix}-{resources.MEDIA_BUCKET}-*"


def _media_files(prefix: str, under: str) -> str:
    return f"{_media_bucket(prefix)}/{under}*"


def _missing_is_404(prefix: str) -> dict:
    # Without it S3 answers 403, not 404, for a file that is not there (an
    # upload deleted by an earlier delivery): an error, not an answer.
    return _statement("KnowWhatIsMissing", ["s3:ListBucket"], _media_bucket(prefix))


# What each consumer does with the media bucket (chalicelib/media_files.py).
_MEDIA_ACCESS = {
    "uploads": lambda prefix: [
        _statement("ReadUploads", ["s3:GetObject", "s3:DeleteObject"], _media_files(prefix, UPLOADS_PREFIX)),
        _statement("WriteRenditions", ["s3:PutObject", "s3:PutObjectTagging"],
                   _media_files(prefix, RENDITIONS_PREFIX)),
        _missing_is_404(prefix),
    ],
    "media": lambda prefix: [
        _statement("KeepOrDeleteRenditions", ["s3:PutObjectTagging", "s3:DeleteObject"],
                   _media_files(prefix, RENDITIONS_PREFIX)),
        _missing_is_404(prefix),
    ],
}


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
        ]
    elif function == WEBSOCKET_CONNECT:
        statements = [
            _statement("ReadTokenHolder", ["dynamodb:GetItem"], _tables(prefix, only="users")),
            _statement("AddConnection", ["dynamodb:PutItem"], _tables(prefix, only="connections")),
            _statement("ReadJwtSecret", ["ssm:GetParameter"], _arn("ssm", f"parameter/instagram/{stage}/jwt-secret")),
        ]
    elif function == WEBSOCKET_DISCONNECT:
        statements = [_statement("RemoveConnection", ["dynamodb:Query", "dynamodb:DeleteItem"],
                                 _tables(prefix, only="connections"))]
    elif function == WEBSOCKET_MESSAGE:
        statements = []  # it only posts its pong: the template's grant
    elif function == RELAY_FUNCTION:
        statements = [
            _statement("Outbox", ["dynamodb:Query", "dynamodb:DeleteItem"], _tables(prefix, only="outbox")),
            _statement("PublishEvents", ["sns:Publish"], topic),
        ]
    else:
        queue = consumer_functions()[function]
        statements = [
            _statement("Tables", [*_READ_WRITE, "dynamodb:BatchWriteItem"], _tables(prefix)),
            _statement("ConsumeQueue", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                        "sqs:ChangeMessageVisibility"], _arn("sqs", f"{prefix}-{queue}")),
        ]
        if queue in PUBLISHING_CONSUMERS:
            statements.append(_statement("PublishEvents", ["sns:Publish"], topic))
        if queue in _MEDIA_ACCESS:
            statements.extend(_MEDIA_ACCESS[queue](prefix))
    return {"Version": "2012-10-17", "Statement": [*statements, logs, tracing]}


def functions() -> list[str]:
    return [API_FUNCTION, *consumer_functions(), RELAY_FUNCTION, *WEBSOCKET_FUNCTIONS]


def file_name(function: str, stage: str) -> str:
    return f"policy-{stage}-{function}.json"


def write_all() -> None:
    assert set(consumer_functions().values()) == set(_ALL_CONSUMERS), "a consumer has no policy"
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
