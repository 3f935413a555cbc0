"""Creates the stage's resources through the AWS API, idempotently.

Used against moto, in tests and by the local stack. moto's CloudFormation
ignores SNS subscriptions and TTL, so this does not deploy the template; it
reads the same definitions (infra/resources.py) the template is made from.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import parseaddr

import boto3

from chalicelib import media_files
from chalicelib.config import cors_allowed_origins, mail_sender, media_bucket
from infra import resources


@dataclass(frozen=True)
class Provisioned:
    topic_arn: str
    queue_urls: dict[str, str]
    dead_letter_urls: dict[str, str]
    media_bucket: str


def provision(session: boto3.session.Session | None = None) -> Provisioned:
    session = session or boto3.session.Session()
    dynamodb = session.client("dynamodb")
    sns = session.client("sns")
    sqs = session.client("sqs")
    s3 = session.client("s3")

    existing = set(_table_names(dynamodb))
    for table in resources.tables():
        if table.name not in existing:
            _create_table(dynamodb, table)

    topic_arn = sns.create_topic(Name=resources.topic_name())["TopicArn"]
    subscribed = {
        s["Endpoint"]
        for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    }
    queue_urls, dead_letter_urls, queue_arns = {}, {}, {}
    for queue in resources.consumer_queues():
        dead_letter_url = sqs.create_queue(
            QueueName=queue.dead_letter_name,
            Attributes={"MessageRetentionPeriod": str(resources.DEAD_LETTER_RETENTION_SECONDS)},
        )["QueueUrl"]
        dead_letter_arn = _queue_arn(sqs, dead_letter_url)
        queue_url = sqs.create_queue(
            QueueName=queue.name,
            Attributes={
                "VisibilityTimeout": str(resources.VISIBILITY_TIMEOUT_SECONDS),
                "RedrivePolicy": json.dumps(resources.redrive_policy(dead_letter_arn)),
            },
        )["QueueUrl"]
        queue_arn = _queue_arn(sqs, queue_url)
        queue_arns[queue.logical_name] = queue_arn
        if not queue.from_bucket and queue_arn not in subscribed:
            sns.subscribe(
                TopicArn=topic_arn,
                Protocol="sqs",
                Endpoint=queue_arn,
                Attributes={
                    "RawMessageDelivery": "true",
                    "FilterPolicy": json.dumps(resources.filter_policy(queue)),
                },
            )
        queue_urls[queue.logical_name] = queue_url
        dead_letter_urls[queue.logical_name] = dead_letter_url
    bucket = media_bucket()
    _create_media_bucket(s3, bucket, queue_arns)
    _create_mail_identity(session.client("sesv2"))
    return Provisioned(topic_arn, queue_urls, dead_letter_urls, bucket)


def _create_media_bucket(s3, bucket: str, queue_arns: dict[str, str]) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {
            "ID": rule.rule_id,
            "Filter": {"And": {"Prefix": rule.prefix, "Tags": [{"Key": rule.tag[0], "Value": rule.tag[1]}]}}
            if rule.tag else {"Prefix": rule.prefix},
            "Status": "Enabled",
            "Expiration": {"Days": rule.days},
        }
        for rule in resources.LIFECYCLE_RULES
    ]})
    # Anyone may GET renditions, as through the CDN on AWS (where the bucket
    # itself answers only the CDN).
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "RenditionsForAnyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/{media_files.RENDITIONS_PREFIX}*",
    }]}))
    cors_rule = resources.upload_cors_rule(cors_allowed_origins())
    if cors_rule:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [cors_rule]})
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [
        {
            "QueueArn": queue_arns[name],
            "Events": list(resources.UPLOAD_EVENTS),
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": media_files.UPLOADS_PREFIX}]}},
        }
        for name in (queue.logical_name for queue in resources.consumer_queues() if queue.from_bucket)
    ]})


def _create_mail_identity(sesv2) -> None:
    """The sender's domain as an SES identity, which SES (and moto) requires
    before it sends. Locally and in tests only: on AWS its owner verifies it
    once, through DNS (docs/accounts.md)."""
    domain = parseaddr(mail_sender())[1].rpartition("@")[2]
    identities = {i["IdentityName"] for i in sesv2.list_email_identities().get("EmailIdentities", [])}
    if domain not in identities:
        sesv2.create_email_identity(EmailIdentity=domain)


def _table_names(dynamodb) -> list[str]:
    return [name for page in dynamodb.get_paginator("list_tables").paginate() for name in page["TableNames"]]


def _create_table(dynamodb, table: resources.Table) -> None:
    arguments = {
        "TableName": table.name,
        "AttributeDefinitions": table.attribute_definitions,
        "KeySchema": table.key_schema,
        "BillingMode": "PAY_PER_REQUEST",
    }
    if table.global_secondary_indexes:
        arguments["GlobalSecondaryIndexes"] = table.global_secondary_indexes
    dynamodb.create_table(**arguments)
    dynamodb.get_waiter("table_exists").wait(TableName=table.name, WaiterConfig={"Delay": 1})
    if table.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=table.name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute},
        )


def _queue_arn(sqs, queue_url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


if __name__ == "__main__":
    print(provision())
