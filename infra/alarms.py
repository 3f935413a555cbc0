"""What wakes the operator of a deployed stage: CloudWatch alarms, each
notifying one SNS topic, to which `make deploy ALARM_EMAIL=...` subscribes an
address. docs/operations.md ("Alarms") says what each one means and what to do.

Every alarm treats missing data as fine: no traffic is not an incident. A
relay that stops running entirely shows as its function's errors."""
from __future__ import annotations

from chalicelib.metrics import namespace
from chalicelib.outbox import logger as outbox_logger

ALARM_TOPIC_ID = "AlarmTopic"
ALARM_EMAIL_PARAMETER = "AlarmEmail"

# A consumer is stuck, or far behind, when its oldest message waits this long.
QUEUE_AGE_LIMIT_SECONDS = 300
# An outbox entry this old means events are not reaching their consumers.
OUTBOX_AGE_LIMIT_SECONDS = 300
# Any 5xx is a bug; a rate over two periods of three keeps one odd request
# among few from paging at night.
API_5XX_RATE_LIMIT = 0.01


def template(api_server_errors: tuple[str, dict], unwatched_function_ids: list[str],
             queue_ids: dict[str, str]) -> dict:
    """Parameters, Conditions and Resources: the topic, its optional e-mail
    subscription and the alarms. api_server_errors: the API Gateway metric
    whose average is the API's share of 5xx answers, and its dimensions
    (a REST and an HTTP API name them differently). queue_ids: each consumer queue's resource
    id, and its dead-letter queue's. unwatched_function_ids: the functions
    whose failures no other alarm shows, each of which gets an errors alarm."""
    resources = {
        ALARM_TOPIC_ID: {"Type": "AWS::SNS::Topic", "Properties": {}},
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {"TopicArn": {"Ref": ALARM_TOPIC_ID}, "Protocol": "email",
                           "Endpoint": {"Ref": ALARM_EMAIL_PARAMETER}},
        },
        "Api5xxRateAlarm": _alarm(
            f"More than {API_5XX_RATE_LIMIT:.0%} of the API's requests answered 5xx in 2 of 3 periods of 5 minutes",
            "AWS/ApiGateway", *api_server_errors, "Average", API_5XX_RATE_LIMIT, period=300,
            out_of=(2, 3)),
        "OutboxAgeAlarm": _alarm(
            f"An outbox entry is older than {OUTBOX_AGE_LIMIT_SECONDS} s: events are not being published",
            namespace(), "OutboxOldestAgeSeconds", {"service": outbox_logger.name}, "Maximum",
            OUTBOX_AGE_LIMIT_SECONDS),
    }
    # An alarm costs $0.10 a month: none says again what another says. A
    # failing or throttled API answers 5xx (Api5xxRateAlarm); a failing
    # consumer's messages age and end in its dead-letter queue, a throttled
    # one's age (the queue alarms below). Only the functions that nothing
    # else watches get an alarm on their errors, and none on throttles.
    for function_id in unwatched_function_ids:
        resources[f"{function_id}ErrorsAlarm"] = _alarm(
            f"The function {function_id} reported errors",
            "AWS/Lambda", "Errors", {"FunctionName": {"Ref": function_id}}, "Sum", 0, period=300)
    for queue_id, dead_letter_id in queue_ids.items():
        resources[f"{dead_letter_id}Alarm"] = _alarm(
            f"{dead_letter_id} holds a message that failed every retry",
            "AWS/SQS", "ApproximateNumberOfMessagesVisible",
            {"QueueName": {"Fn::GetAtt": [dead_letter_id, "QueueName"]}}, "Maximum", 0)
        resources[f"{queue_id}AgeAlarm"] = _alarm(
            f"The oldest message of {queue_id} has waited more than {QUEUE_AGE_LIMIT_SECONDS} s",
            "AWS/SQS", "ApproximateAgeOfOldestMessage",
            {"QueueName": {"Fn::GetAtt": [queue_id, "QueueName"]}}, "Maximum", QUEUE_AGE_LIMIT_SECONDS)
    return {
        "Parameters": {ALARM_EMAIL_PARAMETER: {
            "Type": "String", "Default": "",
            "Description": "An e-mail address to notify of alarms (it must confirm the subscription); empty for none",
        }},
        "Conditions": {"HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": ALARM_EMAIL_PARAMETER}, ""]}]}},
        "Resources": resources,
    }


def _alarm(description: str, metric_namespace: str, metric: str, dimensions: dict, statistic: str,
           threshold: float, period: int = 60, out_of: tuple[int, int] = (1, 1)) -> dict:
    """Alarms when the statistic exceeds threshold in out_of[0] of the last
    out_of[1] periods (by default, as soon as one period does)."""
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": {
        "AlarmDescription": description,
        "Namespace": metric_namespace,
        "MetricName": metric,
        "Dimensions": [{"Name": name, "Value": value} for name, value in dimensions.items()],
        "Statistic": statistic,
        "Period": period,
        "DatapointsToAlarm": out_of[0],
        "EvaluationPeriods": out_of[1],
        "Threshold": threshold,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": ALARM_TOPIC_ID}],
        "OKActions": [{"Ref": ALARM_TOPIC_ID}],
    }}
