"""Least-privilege IAM policies, one per function and stage, made from the
same definitions as the resources: exact actions, and only this stage's
tables, topic, queues and secret.

    python -m infra.policies     # rewrites .chalice/policy-<stage>-<function>.json and the config's mapping

tests/integration/test_package.py fails if the committed files drift from
what this module makes.
"""
from __future__ import annotations

import json
from email.utils import parseaddr
from pathlib import Path

from chalicelib.consumers import BUCKET_CONSUMERS, CONSUMERS
from chalicelib.media_files import EXPORTS_PREFIX, RENDITIONS_PREFIX, UPLOADS_PREFIX
from infra import resources

CHALICE_DIR = Path(__file__).resolve().parent.parent / ".chalice"
STAGES = ("dev", "prod")
API_FUNCTION = "api_handler"
RELAY_FUNCTION = "outbox_relay"


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
PUBLISHING_CONSUMERS = {"follow-requests", "feed", "uploads", "exports"}


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
    "exports": lambda prefix: [
        _statement("ReadPhotos", ["s3:GetObject"], _media_files(prefix, RENDITIONS_PREFIX)),
        _statement("WriteExports", ["s3:PutObject"], _media_files(prefix, EXPORTS_PREFIX)),
    ],
    # Its mail of a ready export carries a link signed with its own right to read it.
    "mail": lambda prefix: [_statement("SignExportLinks", ["s3:GetObject"], _media_files(prefix, EXPORTS_PREFIX))],
    "media": lambda prefix: [
        _statement("KeepOrDeleteRenditions", ["s3:PutObjectTagging", "s3:DeleteObject"],
                   _media_files(prefix, RENDITIONS_PREFIX)),
        _missing_is_404(prefix),
    ],
}


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
        if queue == "mail":
            statements.extend(_mail_sending(stage))
    return {"Version": "2012-10-17", "Statement": [*statements, logs, tracing]}


def functions() -> list[str]:
    return [API_FUNCTION, *consumer_functions(), RELAY_FUNCTION]


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
