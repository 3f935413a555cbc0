"""The stage's resources as CloudFormation, for `chalice package
--merge-template`. Rendered from the same definitions that infra.provision
creates locally, plus what Chalice cannot say itself about its functions:
that each consumer reports partial batch failures and needs its queue to
exist first, where events are published, which browser origins may call
the API (the stage's CORS_ALLOWED_ORIGINS in .chalice/config.json), and that the errors API Gateway answers
itself have the API's {"detail": ...} shape, and that the API's
stage is traced by X-Ray like the functions (`"xray": true` in
.chalice/config.json; Chalice traces only the functions), and throttled
as a whole (API_THROTTLE_RATE, API_THROTTLE_BURST), and that each
function logs to a log group of its own with a retention
(LOG_RETENTION_DAYS), instead of one Lambda creates to keep forever; and
the alarms of infra/alarms.py. The media bucket is private: its
uploads notify the uploads queue, and a CloudFront distribution, the only
reader the bucket allows, serves its renditions. The web app (web/) is
served the same way from a bucket of its own (`make deploy` uploads it), and
its origin is the stage's browser origin unless CORS_ALLOWED_ORIGINS names
others."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from chalice.app import SQSEventConfig
from chalice.utils import to_cfn_resource_name

from chalicelib import media_files
from chalicelib.api import cors
from chalicelib.config import (
    api_gateway,
    api_throttle,
    cors_allowed_origins,
    log_retention_days,
    resource_prefix,
    stage,
    trace_sampling_rate,
)
from chalicelib.consumers import CONSUMERS
from infra import alarms, http_api, policies, resources

TOPIC_ID = "EventsTopic"
BUCKET_ID = "MediaBucket"
DISTRIBUTION_ID = "MediaDistribution"
WEB_BUCKET_ID = "WebBucket"
WEB_DISTRIBUTION_ID = "WebDistribution"
# The web app's origin, known once its distribution exists.
WEB_ORIGIN = {"Fn::Sub": f"https://${{{WEB_DISTRIBUTION_ID}.DomainName}}"}
# CloudFront's managed policy for content that does not vary: cached by path only.
CACHING_OPTIMIZED_POLICY = "658327ea-f89d-4fab-a63d-7e88639e58f6"
API_HANDLER_ID = "APIHandler"  # Chalice's name for the REST API's function
REST_API_ID = "RestAPI"  # and for the REST API
WEBSOCKET_API_ID = "WebsocketAPI"  # and for the WebSocket API
# The functions that post to the WebSocket API's connections.
POSTING_FUNCTIONS = ("pusher", "websocket_message")


def browser_origins() -> tuple:
    """The origins that may call the stage's API: CORS_ALLOWED_ORIGINS when
    the stage names any, else the web app's own (an intrinsic function)."""
    return cors_allowed_origins(stage_environment()) or (WEB_ORIGIN,)


def gateway_responses(origins: tuple) -> dict:
    """Errors API Gateway answers itself (an unknown path, a body over its
    limit, throttling) in the API's own shape, {"detail": ...}, instead of
    {"message": ...}, readable by the browsers the stage allows. In the API's
    definition rather than as separate resources, so that a change redeploys
    the stage."""
    parameters = {}
    if origins:
        # With several origins, the gateway cannot choose among them; its
        # errors carry nothing of anyone's, so any origin may read them.
        allow = f"'{origins[0]}'" if len(origins) == 1 else "'*'"
        if origins == (WEB_ORIGIN,):
            allow = {"Fn::Sub": f"'{WEB_ORIGIN['Fn::Sub']}'"}
        parameters = {"gatewayresponse.header.Access-Control-Allow-Origin": allow,
                      "gatewayresponse.header.Access-Control-Expose-Headers": f"'{cors.EXPOSED_HEADERS}'"}
    response = {"responseTemplates": {"application/json": '{"detail": $context.error.messageString}'}}
    if parameters:
        response["responseParameters"] = parameters
    return {kind: response for kind in ("DEFAULT_4XX", "DEFAULT_5XX")}


def template(app=None) -> dict:
    """The resources; with the Chalice app, also the wiring of its functions."""
    template_resources: dict = {TOPIC_ID: {
        "Type": "AWS::SNS::Topic",
        "Properties": {"TopicName": resources.topic_name()},
    }}
    for table in resources.tables():
        template_resources[f"{resources.camel(table.logical_name)}Table"] = _table(table)
    for queue in resources.consumer_queues():
        template_resources.update(_consumer_queue(queue))
    template_resources.update(_media_bucket(browser_origins()))
    template_resources.update(_web_bucket())
    if app is None:
        return {"Resources": template_resources}
    template_resources.update(function_wiring(app))
    if api_gateway() == "http":
        template_resources.update(http_api.resources(app, API_HANDLER_ID))
        server_errors = http_api.server_errors_metric()
        endpoint = {"EndpointURL": {"Value": http_api.ENDPOINT_URL}}
    else:
        template_resources["ApiSamplingRule"] = api_sampling_rule()
        server_errors = ("5XXError", {"ApiName": resource_prefix()})
        endpoint = {}
    queue_ids = {f"{name}Queue": f"{name}DeadLetterQueue"
                 for name in (resources.camel(queue.logical_name) for queue in resources.consumer_queues())}
    watched = alarms.template(server_errors, unwatched_function_ids=unwatched_functions(app), queue_ids=queue_ids)
    outputs = {**watched.get("Outputs", {}), **endpoint, "MediaBaseUrl": {"Value": _media_base_url()},
               "MediaBucketName": {"Value": {"Ref": BUCKET_ID}},
               # Where make deploy uploads web/ and whose cache it refreshes.
               "WebUrl": {"Value": WEB_ORIGIN}, "WebBucketName": {"Value": {"Ref": WEB_BUCKET_ID}},
               "WebDistributionId": {"Value": {"Ref": WEB_DISTRIBUTION_ID}}}
    return {**watched, "Resources": {**template_resources, **watched["Resources"]}, "Outputs": outputs}


def api_sampling_rule() -> dict:
    """X-Ray traces TRACE_SAMPLING_RATE of the API stage's requests, with no
    reservoir: the default rule's first request of every second would be
    most requests of a small community, at $5 a million traces. The
    functions follow the API's decision (the API's) or the event's trace
    header (every other: PassThrough), so a traced request's events are
    traced with it and start no trace of their own."""
    return {"Type": "AWS::XRay::SamplingRule", "Properties": {"SamplingRule": {
        "RuleName": f"{resource_prefix()}-api"[:32], "Version": 1, "Priority": 100,
        "FixedRate": trace_sampling_rate(), "ReservoirSize": 0,
        "ServiceName": f"{resource_prefix()}/{_api_gateway_stage()}", "ServiceType": "AWS::ApiGateway::Stage",
        "Host": "*", "HTTPMethod": "*", "URLPath": "*", "ResourceARN": "*",
    }}}


def stage_throttle() -> dict:
    """Every method of the stage, throttled together (API_THROTTLE_RATE and
    API_THROTTLE_BURST): the bound on what anonymous reads, which no
    per-user limit counts, can cost."""
    rate, burst = api_throttle()
    return {"ResourcePath": "/*", "HttpMethod": "*", "ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst}


def stage_environment() -> dict:
    """The stage's environment variables as .chalice/config.json sets them
    on its functions, under whatever the shell running `make package` sets."""
    config = json.loads((Path(__file__).resolve().parents[1] / ".chalice" / "config.json").read_text())
    return {**config["stages"].get(stage(), {}).get("environment_variables", {}), **os.environ}


def functions(app) -> dict[str, str]:
    """Chalice's resource id of each of the app's functions, and its name."""
    websocket = policies.WEBSOCKET_FUNCTIONS if app.websocket_handlers else ()
    return ({API_HANDLER_ID: "api_handler"} | {to_cfn_resource_name(s.name): s.name for s in app.event_sources}
            | {to_cfn_resource_name(name): name for name in websocket})


def unwatched_functions(app) -> list[str]:
    """The functions whose failures neither the API's 5xx alarm nor a
    consumer queue's alarms show: the outbox relay (a relay that fails before
    it measures the outbox reports no age) and the WebSocket handlers."""
    consumer_functions = {to_cfn_resource_name(consumer.function) for consumer in CONSUMERS}
    return [function_id for function_id in functions(app)
            if function_id != API_HANDLER_ID and function_id not in consumer_functions]


def _websocket_endpoint(scheme: str) -> dict:
    """The stage of the WebSocket API that `chalice package` makes, named
    like the REST API's (api_gateway_stage in .chalice/config.json)."""
    return {"Fn::Sub": (f"{scheme}://${{{WEBSOCKET_API_ID}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/"
                        f"{_api_gateway_stage()}")}


def _api_gateway_stage() -> str:
    """The API Gateway stage's name (api_gateway_stage in .chalice/config.json)."""
    config = json.loads((Path(__file__).resolve().parents[1] / ".chalice" / "config.json").read_text())
    return config["stages"].get(stage(), {}).get("api_gateway_stage", "api")


def _may_post_to_connections(app) -> dict:
    """execute-api:ManageConnections on this stage's WebSocket API only: its
    id is known only here, so the policy files of infra/policies.py cannot
    say it."""
    roles = [{"Ref": f"{to_cfn_resource_name(name)}Role"} for name in POSTING_FUNCTIONS
             if to_cfn_resource_name(name) in functions(app)]
    return {"PostToConnectionsPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": "PostToConnections",
        "Roles": roles,
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": ["execute-api:ManageConnections"],
            "Resource": {"Fn::Sub": (f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:"
                                     f"${{{WEBSOCKET_API_ID}}}/*/POST/@connections/*")},
        }]},
    }}}


def function_wiring(app) -> dict:
    """Deep-merged by Chalice into the functions it generates."""
    queue_ids = {queue.name: f"{resources.camel(queue.logical_name)}Queue" for queue in resources.consumer_queues()}
    origins = browser_origins()
    wiring = {REST_API_ID: {"Properties": {
        "Name": resource_prefix(),  # what its metrics, and so its alarm, are named by
        "TracingEnabled": True,
        "DefinitionBody": {"x-amazon-apigateway-gateway-responses": gateway_responses(origins)},
        "MethodSettings": [stage_throttle()],
    }}}
    for function_id, name in functions(app).items():
        wiring[f"{function_id}LogGroup"] = {"Type": "AWS::Logs::LogGroup", "Properties": {
            "LogGroupName": f"/aws/lambda/{resource_prefix()}-{name}", "RetentionInDays": log_retention_days(),
        }}
        variables = {"EVENTS_TOPIC_ARN": {"Ref": TOPIC_ID}, "MEDIA_BUCKET": {"Ref": BUCKET_ID},
                     "MEDIA_BASE_URL": _media_base_url()}
        if app.websocket_handlers:
            variables |= {"REALTIME_URL": _websocket_endpoint("wss"),
                          "REALTIME_MANAGEMENT_URL": _websocket_endpoint("https")}
        if function_id == API_HANDLER_ID:
            variables["CORS_ALLOWED_ORIGINS"] = WEB_ORIGIN if origins == (WEB_ORIGIN,) else ",".join(origins)
        wiring[function_id] = {"Properties": {"Environment": {"Variables": variables},
                                              "LoggingConfig": {"LogGroup": {"Ref": f"{function_id}LogGroup"}}}}
        # api_sampling_rule; an HTTP API stage has no X-Ray, and Lambda's own
        # rule would trace most of a small community's requests.
        if function_id != API_HANDLER_ID or api_gateway() == "http":
            wiring[function_id]["Properties"]["Tracing"] = "PassThrough"
    for source in app.event_sources:
        function_id = to_cfn_resource_name(source.name)
        if isinstance(source, SQSEventConfig):
            wiring[function_id]["Properties"]["Events"] = {f"{function_id}SqsEventSource": {"Properties": {
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
            }}}
            # Chalice names the queue by its ARN; this makes CloudFormation
            # create the queue before the function's event source.
            wiring[function_id]["DependsOn"] = [queue_ids[source.queue]]
    if app.websocket_handlers:
        wiring |= _may_post_to_connections(app)
    return wiring


def _table(table: resources.Table) -> dict:
    properties = {
        "TableName": table.name,
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": table.attribute_definitions,
        "KeySchema": table.key_schema,
    }
    if table.global_secondary_indexes:
        properties["GlobalSecondaryIndexes"] = table.global_secondary_indexes
    if table.ttl_attribute:
        properties["TimeToLiveSpecification"] = {
            "AttributeName": table.ttl_attribute,
            "Enabled": True,
        }
    return {"Type": "AWS::DynamoDB::Table", "Properties": properties}


def _consumer_queue(queue: resources.ConsumerQueue) -> dict:
    name = resources.camel(queue.logical_name)
    queue_id, dead_letter_id = f"{name}Queue", f"{name}DeadLetterQueue"
    fed = _fed_by_bucket(queue_id) if queue.from_bucket else _fed_by_topic(queue, queue_id)
    return {
        dead_letter_id: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": queue.dead_letter_name,
                "MessageRetentionPeriod": resources.DEAD_LETTER_RETENTION_SECONDS,
            },
        },
        queue_id: {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": queue.name,
                "VisibilityTimeout": resources.VISIBILITY_TIMEOUT_SECONDS,
                "RedrivePolicy": resources.redrive_policy({"Fn::GetAtt": [dead_letter_id, "Arn"]}),
            },
        },
        **{f"{name}{kind}": resource for kind, resource in fed.items()},
    }


def _fed_by_topic(queue: resources.ConsumerQueue, queue_id: str) -> dict:
    return {
        "Subscription": {
            "Type": "AWS::SNS::Subscription",
            "Properties": {
                "TopicArn": {"Ref": TOPIC_ID},
                "Protocol": "sqs",
                "Endpoint": {"Fn::GetAtt": [queue_id, "Arn"]},
                "RawMessageDelivery": True,
                "FilterPolicy": resources.filter_policy(queue),
            },
        },
        "QueuePolicy": _sender_allowed(queue_id, "sns.amazonaws.com", {"Ref": TOPIC_ID}),
    }


def _fed_by_bucket(queue_id: str) -> dict:
    bucket_arn = {"Fn::Sub": f"arn:${{AWS::Partition}}:s3:::{_bucket_name()}"}
    return {"QueuePolicy": _sender_allowed(queue_id, "s3.amazonaws.com", bucket_arn)}


def _sender_allowed(queue_id: str, service: str, source_arn) -> dict:
    return {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [{"Ref": queue_id}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": service},
                    "Action": "sqs:SendMessage",
                    "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
                    "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
                }],
            },
        },
    }


def _bucket_name() -> str:
    """Bucket names are global: the account and region make the stage's
    unique. Known before the bucket exists, so that the uploads queue's
    policy can name it (the bucket's notification needs that policy first)."""
    return resources.media_bucket_name(resource_prefix())


def _media_base_url() -> dict:
    return {"Fn::Sub": f"https://${{{DISTRIBUTION_ID}.DomainName}}"}


# No public access and no ACLs: what a bucket read only through CloudFront is.
PRIVATE_BUCKET = {
    "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
}


def _media_bucket(origins: tuple[str, ...]) -> dict:
    uploads_queues = [f"{resources.camel(queue.logical_name)}Queue"
                      for queue in resources.consumer_queues() if queue.from_bucket]
    properties = {
        "BucketName": {"Fn::Sub": _bucket_name()},
        **PRIVATE_BUCKET,
        "LifecycleConfiguration": {"Rules": [_lifecycle_rule(rule) for rule in resources.LIFECYCLE_RULES]},
        "NotificationConfiguration": {"QueueConfigurations": [
            {"Event": event, "Queue": {"Fn::GetAtt": [queue_id, "Arn"]},
             "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": media_files.UPLOADS_PREFIX}]}}}
            for queue_id in uploads_queues for event in resources.UPLOAD_EVENTS
        ]},
    }
    cors_rule = resources.upload_cors_rule(origins)
    if cors_rule:
        rule = {**cors_rule, "MaxAge": cors_rule["MaxAgeSeconds"]}
        del rule["MaxAgeSeconds"]
        properties["CorsConfiguration"] = {"CorsRules": [rule]}
    return {
        BUCKET_ID: {"Type": "AWS::S3::Bucket", "DependsOn": [f"{queue_id}Policy" for queue_id in uploads_queues],
                    "Properties": properties},
        **_behind_cdn(BUCKET_ID, DISTRIBUTION_ID, "media", "RenditionsThroughTheCdnOnly",
                      readable=media_files.RENDITIONS_PREFIX, comment="photos"),
    }


def _web_bucket() -> dict:
    """web/ in a private bucket, read only by its CloudFront distribution,
    which answers / with index.html (the app's routes are in the hash)."""
    return {
        WEB_BUCKET_ID: {"Type": "AWS::S3::Bucket", "Properties": {
            "BucketName": {"Fn::Sub": f"{resource_prefix()}-web-${{AWS::AccountId}}-${{AWS::Region}}"},
            **PRIVATE_BUCKET,
        }},
        # make deploy invalidates the cache after each upload.
        **_behind_cdn(WEB_BUCKET_ID, WEB_DISTRIBUTION_ID, "web", "WebAppThroughTheCdnOnly", readable="",
                      comment="web app", distribution={"DefaultRootObject": "index.html"},
                      behaviour={"Compress": True}),
    }


def _behind_cdn(bucket_id: str, distribution_id: str, name: str, sid: str, readable: str, comment: str,
                distribution: dict | None = None, behaviour: dict | None = None) -> dict:
    """A CloudFront distribution in front of a private bucket, and the
    bucket policy that lets only that distribution read (the files under
    `readable`), through an origin access control."""
    access_control = f"{name.capitalize()}OriginAccessControl"
    return {
        f"{bucket_id}Policy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
                "Sid": sid,
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": {"Fn::Sub": f"${{{bucket_id}.Arn}}/{readable}*"},
                "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": (
                    f"arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{distribution_id}}}")}}},
            }]},
        }},
        access_control: {"Type": "AWS::CloudFront::OriginAccessControl", "Properties": {
            "OriginAccessControlConfig": {"Name": f"{resource_prefix()}-{name}", "OriginAccessControlOriginType": "s3",
                                          "SigningBehavior": "always", "SigningProtocol": "sigv4"},
        }},
        distribution_id: {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
            "Enabled": True,
            "Comment": f"{resource_prefix()} {comment}",
            "HttpVersion": "http2and3",
            "PriceClass": "PriceClass_100",
            **(distribution or {}),
            "Origins": [{
                "Id": name,
                "DomainName": {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]},
                "S3OriginConfig": {"OriginAccessIdentity": ""},
                "OriginAccessControlId": {"Fn::GetAtt": [access_control, "Id"]},
            }],
            "DefaultCacheBehavior": {
                "TargetOriginId": name,
                "ViewerProtocolPolicy": "redirect-to-https",
                "AllowedMethods": ["GET", "HEAD"],
                "CachedMethods": ["GET", "HEAD"],
                **(behaviour or {}),
                "CachePolicyId": CACHING_OPTIMIZED_POLICY,
            },
        }}},
    }


def _lifecycle_rule(rule: resources.LifecycleRule) -> dict:
    rendered = {"Id": rule.rule_id, "Status": "Enabled", "Prefix": rule.prefix, "ExpirationInDays": rule.days}
    if rule.tag:
        rendered["TagFilters"] = [{"Key": rule.tag[0], "Value": rule.tag[1]}]
    return rendered


if __name__ == "__main__":
    from app import app as chalice_app

    json.dump(template(chalice_app), sys.stdout, indent=2)
    sys.stdout.write("\n")
