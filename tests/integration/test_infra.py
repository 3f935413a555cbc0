"""infra/: one definition, provisioned through the API and rendered as
CloudFormation, with nothing missing from either."""
import json
import os

import boto3

from chalicelib.config import events_topic_arn
from chalicelib.consumers import BY_NAME, CONSUMERS
from chalicelib.models import ALL_MODELS
from infra import cloudformation, resources
from infra.provision import provision


def test_provisioning_twice_changes_nothing(aws):
    again = provision()
    assert again == aws
    sns = boto3.client("sns")
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=aws.topic_arn)["Subscriptions"]
    assert len(subscriptions) == len([queue for queue in resources.consumer_queues() if not queue.from_bucket])


def test_the_local_stage_finds_the_provisioned_topic_without_being_told(aws):
    untold = {name: value for name, value in os.environ.items() if name != "EVENTS_TOPIC_ARN"}
    assert events_topic_arn(untold) == aws.topic_arn


def test_every_model_has_its_table(aws):
    names = set(boto3.client("dynamodb").list_tables()["TableNames"])
    assert {model.Meta.table_name for model in ALL_MODELS} <= names


def test_each_consumer_queue_has_a_dead_letter_queue_and_a_filtered_raw_subscription(aws):
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    for queue in resources.consumer_queues():
        attributes = sqs.get_queue_attributes(QueueUrl=aws.queue_urls[queue.logical_name],
                                              AttributeNames=["All"])["Attributes"]
        redrive = json.loads(attributes["RedrivePolicy"])
        assert redrive["deadLetterTargetArn"].endswith(queue.dead_letter_name)
        assert int(redrive["maxReceiveCount"]) == resources.MAX_RECEIVE_COUNT
        subscriptions = [s for s in sns.list_subscriptions_by_topic(TopicArn=aws.topic_arn)["Subscriptions"]
                         if s["Endpoint"] == attributes["QueueArn"]]
        if queue.from_bucket:
            assert subscriptions == []
            continue
        [subscription] = subscriptions
        sub_attributes = sns.get_subscription_attributes(
            SubscriptionArn=subscription["SubscriptionArn"])["Attributes"]
        assert sub_attributes["RawMessageDelivery"] == "true"
        handled = {payload.type for payload in BY_NAME[queue.logical_name].handlers}
        policy = json.loads(sub_attributes["FilterPolicy"])
        assert policy == resources.filter_policy(queue)
        assert {t for part in policy.get("$or", [policy]) for t in part["event_type"]} == handled


def test_the_template_has_the_same_resources():
    template = cloudformation.template()["Resources"]
    tables = {r["Properties"]["TableName"] for r in template.values() if r["Type"] == "AWS::DynamoDB::Table"}
    assert tables == {model.Meta.table_name for model in ALL_MODELS}
    queues = {r["Properties"]["QueueName"] for r in template.values() if r["Type"] == "AWS::SQS::Queue"}
    consumer_queues = resources.consumer_queues()
    assert queues == {q.name for q in consumer_queues} | {q.dead_letter_name for q in consumer_queues}
    filters = [r["Properties"]["FilterPolicy"] for r in template.values() if r["Type"] == "AWS::SNS::Subscription"]
    handled = [sorted(payload.type for payload in consumer.handlers) for consumer in CONSUMERS
               if consumer.fed_by == "topic"]
    types = [sorted(t for part in f.get("$or", [f]) for t in part["event_type"]) for f in filters]
    assert sorted(types) == sorted(handled)


def test_tables_with_a_ttl_attribute_get_ttl_in_both():
    for table in resources.tables():
        resource = cloudformation.template()["Resources"][f"{resources.camel(table.logical_name)}Table"]
        assert ("TimeToLiveSpecification" in resource["Properties"]) == bool(table.ttl_attribute)


def test_the_template_wires_every_function_to_the_topic_and_each_consumer_reports_batch_failures():
    from chalice.utils import to_cfn_resource_name

    from app import app

    wiring = cloudformation.template(app)["Resources"]
    consumer_functions = {source.name: source for source in app.event_sources if hasattr(source, "queue")}
    assert set(consumer_functions) == {consumer.function for consumer in CONSUMERS}
    for name, source in consumer_functions.items():
        function = wiring[to_cfn_resource_name(name)]
        [event_source] = function["Properties"]["Events"].values()
        assert event_source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        [queue_id] = function["DependsOn"]
        assert wiring[queue_id]["Properties"]["QueueName"] == source.queue
    for function_id in ["APIHandler", "OutboxRelay", *map(to_cfn_resource_name, consumer_functions)]:
        variables = wiring[function_id]["Properties"]["Environment"]["Variables"]
        assert variables["EVENTS_TOPIC_ARN"] == {"Ref": cloudformation.TOPIC_ID}


def test_the_media_bucket_notifies_the_uploads_queue_of_uploads_only(aws):
    s3 = boto3.client("s3")
    configuration = s3.get_bucket_notification_configuration(Bucket=aws.media_bucket)
    [queue] = configuration["QueueConfigurations"]
    assert queue["QueueArn"].endswith(":instagram-test-uploads")
    [rule] = queue["Filter"]["Key"]["FilterRules"]
    assert (rule["Name"].lower(), rule["Value"]) == ("prefix", "uploads/")
    rules = {rule["ID"]: rule for rule in s3.get_bucket_lifecycle_configuration(Bucket=aws.media_bucket)["Rules"]}
    assert set(rules) == {"uploads-left-behind", "unclaimed-renditions", "story-renditions"}
