"""What deploys is what the tests run against: the packaged template (from
`chalice package --merge-template`, as `make package` runs it) holds every
resource of infra/, wires every consumer to its queue, grants no wildcard
action, and passes cfn-lint."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from chalice.utils import to_cfn_resource_name

from app import app
from chalicelib.config import resource_prefix
from chalicelib.consumers import CONSUMERS
from infra import resources
from infra.package import LAMBDA_PYTHON_VERSION

ROOT = Path(__file__).resolve().parents[2]
STAGE = "dev"
PREFIX = f"instagram-{STAGE}"
APP_ORIGIN = "https://app.example.com"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def packaged(tmp_path_factory):
    return package(tmp_path_factory)


@pytest.fixture(scope="module")
def packaged_http(tmp_path_factory):
    return package(tmp_path_factory, API_GATEWAY="http")


def package(tmp_path_factory, **settings):
    """make package's two steps, for the dev stage; the path of its sam.json."""
    out = tmp_path_factory.mktemp("package")
    env = {**os.environ, "STAGE": STAGE, "RESOURCE_PREFIX": PREFIX, "AWS_DEFAULT_REGION": "us-east-1",
           "CORS_ALLOWED_ORIGINS": APP_ORIGIN, **settings}
    merge = out / "resources.json"
    merge.write_text(subprocess.run(
        [sys.executable, "-m", "infra.cloudformation"], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True).stdout)
    subprocess.run([sys.executable, "-m", "infra.package", "package", "--stage", STAGE, "--merge-template",
                    str(merge), str(out / "dist")], cwd=ROOT, env=env, check=True, capture_output=True)
    return out / "dist" / "sam.json"


def resources_of(template_path, kind: str) -> dict:
    resources = json.loads(template_path.read_text())["Resources"]
    return {name: r for name, r in resources.items() if r["Type"] == kind}


def test_every_table_is_in_the_template_with_its_ttl(packaged):
    from chalicelib.models import ALL_MODELS

    tables = {r["Properties"]["TableName"]: r["Properties"]
              for r in resources_of(packaged, "AWS::DynamoDB::Table").values()}
    assert set(tables) == {f"{PREFIX}-{model.Meta.logical}" for model in ALL_MODELS}
    assert {name for name, p in tables.items() if "TimeToLiveSpecification" in p} == {
        f"{PREFIX}-stories", f"{PREFIX}-story-feed", f"{PREFIX}-rate-limits", f"{PREFIX}-media",
        f"{PREFIX}-account-tokens", f"{PREFIX}-connections"}


def test_every_consumer_has_its_queue_dead_letter_queue_and_filtered_subscription(packaged):
    queues = {r["Properties"]["QueueName"] for r in resources_of(packaged, "AWS::SQS::Queue").values()}
    every = [consumer.name for consumer in CONSUMERS]
    assert queues == {f"{PREFIX}-{name}" for name in every} | {f"{PREFIX}-{name}-dlq" for name in every}
    filters = [r["Properties"]["FilterPolicy"] for r in resources_of(packaged, "AWS::SNS::Subscription").values()
               if r["Properties"]["Protocol"] == "sqs"]
    expected = [resources.filter_policy(queue) for queue in resources.consumer_queues() if not queue.from_bucket]
    assert sorted(map(json.dumps, filters)) == sorted(map(json.dumps, expected))


def test_each_consumer_function_reads_its_own_queue_and_reports_batch_failures(packaged):
    functions = resources_of(packaged, "AWS::Serverless::Function")
    for source in app.event_sources:
        if not hasattr(source, "queue"):
            continue
        # The app here was imported for the test stage; the package is for dev.
        logical_queue = source.queue.removeprefix(f"{resource_prefix()}-")
        [event] = functions[to_cfn_resource_name(source.name)]["Properties"]["Events"].values()
        assert event["Properties"]["Queue"]["Fn::Sub"].endswith(f":{PREFIX}-{logical_queue}")
        assert event["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "OutboxRelay" in functions


def statements_of(role: dict) -> list[dict]:
    return [statement for policy in role["Properties"].get("Policies", [])
            for statement in policy["PolicyDocument"]["Statement"]]


def actions_of(statements: list[dict]) -> list[str]:
    return [a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]


def test_no_policy_grants_a_wildcard_action(packaged):
    statements = [statement for role in resources_of(packaged, "AWS::IAM::Role").values()
                  for statement in statements_of(role)]
    assert statements
    assert not [a for a in actions_of(statements) if "*" in a]


def test_errors_api_gateway_answers_itself_are_shaped_like_ours(packaged):
    [api] = resources_of(packaged, "AWS::Serverless::Api").values()
    definition = api["Properties"]["DefinitionBody"]
    assert "/api/health" in definition["paths"], "the merge kept Chalice's routes"
    responses = definition["x-amazon-apigateway-gateway-responses"]
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        template = responses[kind]["responseTemplates"]["application/json"]
        # What API Gateway sends for an unknown path, with its message filled in.
        filled = template.replace("$context.error.messageString", json.dumps("Missing Authentication Token"))
        assert json.loads(filled) == {"detail": "Missing Authentication Token"}


def test_browsers_from_the_stages_origin_get_preflights_and_readable_errors(packaged):
    [api] = resources_of(packaged, "AWS::Serverless::Api").values()
    definition = api["Properties"]["DefinitionBody"]
    for path, methods in definition["paths"].items():
        # Answered by the API's function, which knows the allowed origins.
        assert methods["options"]["x-amazon-apigateway-integration"]["type"] == "aws_proxy", path
    for kind, response in definition["x-amazon-apigateway-gateway-responses"].items():
        assert response["responseParameters"] == {
            "gatewayresponse.header.Access-Control-Allow-Origin": f"'{APP_ORIGIN}'",
            "gatewayresponse.header.Access-Control-Expose-Headers": "'X-Next-Cursor, Retry-After'"}, kind
    api_function = resources_of(packaged, "AWS::Serverless::Function")["APIHandler"]
    assert api_function["Properties"]["Environment"]["Variables"]["CORS_ALLOWED_ORIGINS"] == APP_ORIGIN


def test_the_api_stage_samples_its_traces_and_every_other_function_only_joins_them(packaged):
    functions = resources_of(packaged, "AWS::Serverless::Function")
    assert functions and {name: f["Properties"]["Tracing"] for name, f in functions.items()} == {
        name: "Active" if name == "APIHandler" else "PassThrough" for name in functions}
    [api] = resources_of(packaged, "AWS::Serverless::Api").values()
    assert api["Properties"]["TracingEnabled"] is True
    [rule] = [r["Properties"]["SamplingRule"] for r in resources_of(packaged, "AWS::XRay::SamplingRule").values()]
    assert rule["FixedRate"] == 0.05 and rule["ReservoirSize"] == 0
    assert rule["ServiceName"] == f"{PREFIX}/v1" and rule["ServiceType"] == "AWS::ApiGateway::Stage"
    for name, role in resources_of(packaged, "AWS::IAM::Role").items():
        assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= set(actions_of(statements_of(role))), name


def test_each_function_logs_to_a_log_group_of_its_own_kept_30_days(packaged):
    groups = resources_of(packaged, "AWS::Logs::LogGroup")
    functions = resources_of(packaged, "AWS::Serverless::Function")
    assert len(groups) == len(functions)
    for name, function in functions.items():
        group = groups[function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]]
        assert group["Properties"]["RetentionInDays"] == 30, name
        # Where each function's policy lets it write.
        assert group["Properties"]["LogGroupName"].startswith(f"/aws/lambda/{PREFIX}-"), name


def alarms_on(packaged, metric: str) -> list[dict]:
    """The Properties of every alarm on the metric, each notifying the alarm topic."""
    found = [alarm["Properties"] for alarm in resources_of(packaged, "AWS::CloudWatch::Alarm").values()
             if alarm["Properties"]["MetricName"] == metric]
    for alarm in found:
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}], alarm
    return found


def dimension(alarm: dict, name: str):
    [value] = [d["Value"] for d in alarm["Dimensions"] if d["Name"] == name]
    return value


def test_alarms_notify_one_topic_that_an_email_given_at_deploy_subscribes_to(packaged):
    template = json.loads(packaged.read_text())
    assert "AlarmTopic" in resources_of(packaged, "AWS::SNS::Topic")
    [subscription] = [r for r in resources_of(packaged, "AWS::SNS::Subscription").values()
                      if r["Properties"]["Protocol"] == "email"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert subscription["Condition"] in template["Conditions"] and "AlarmEmail" in template["Parameters"]


def test_an_alarm_watches_every_dead_letter_queue_and_the_age_of_every_consumer_queue(packaged):
    queues = {name for name, queue in resources_of(packaged, "AWS::SQS::Queue").items()
              if not name.endswith("DeadLetterQueue")}
    dead_letter_queues = {name[:-len("Queue")] + "DeadLetterQueue" for name in queues}
    assert len(queues) == len(CONSUMERS)
    holding = alarms_on(packaged, "ApproximateNumberOfMessagesVisible")
    assert {dimension(a, "QueueName")["Fn::GetAtt"][0] for a in holding} == dead_letter_queues
    assert all(a["Threshold"] == 0 and a["ComparisonOperator"] == "GreaterThanThreshold" for a in holding)
    aging = alarms_on(packaged, "ApproximateAgeOfOldestMessage")
    assert {dimension(a, "QueueName")["Fn::GetAtt"][0] for a in aging} == queues


def test_an_alarm_watches_the_errors_of_each_function_no_other_alarm_watches_and_none_its_throttles(packaged):
    functions = set(resources_of(packaged, "AWS::Serverless::Function"))
    # The API's failures show in its 5xx rate, a consumer's in its queue's age and dead letters.
    watched_otherwise = {"APIHandler"} | {to_cfn_resource_name(consumer.function) for consumer in CONSUMERS}
    assert watched_otherwise < functions
    unwatched = functions - watched_otherwise
    assert {dimension(a, "FunctionName")["Ref"] for a in alarms_on(packaged, "Errors")} == unwatched
    assert {"OutboxRelay", "WebsocketConnect", "WebsocketMessage", "WebsocketDisconnect"} <= unwatched
    assert not alarms_on(packaged, "Throttles")


def test_an_alarm_watches_the_apis_5xx_rate_and_the_age_of_the_outbox(packaged):
    [api] = resources_of(packaged, "AWS::Serverless::Api").values()
    [server_errors] = alarms_on(packaged, "5XXError")
    assert dimension(server_errors, "ApiName") == api["Properties"]["Name"] == PREFIX
    assert server_errors["Statistic"] == "Average" and 0 < server_errors["Threshold"] < 0.1
    [outbox] = alarms_on(packaged, "OutboxOldestAgeSeconds")
    assert outbox["Namespace"] == PREFIX and outbox["Threshold"] == 300
    assert dimension(outbox, "service") == "instagram-events"


def test_every_function_runs_on_the_pinned_python_with_wheels_built_for_it(packaged):
    functions = resources_of(packaged, "AWS::Serverless::Function")
    assert {f["Properties"]["Runtime"] for f in functions.values()} == {f"python{LAMBDA_PYTHON_VERSION}"}
    abi = "cpython-" + LAMBDA_PYTHON_VERSION.replace(".", "")
    with zipfile.ZipFile(packaged.parent / "deployment.zip") as bundle:
        [extension] = [name for name in bundle.namelist() if name.startswith("pydantic_core/_pydantic_core.")]
    assert abi in extension, "the bundled pydantic_core was built for another Python"


# What CPython 3.12 writes at the head of its bytecode (importlib's
# MAGIC_NUMBER; 3531, the same for every 3.12 release), and the flags of a
# hash-based .pyc whose source is never checked.
PYTHON_312_MAGIC = (3531).to_bytes(2, "little") + b"\r\n"
UNCHECKED_HASH = 0b01


def bytecode_of(source: str) -> str:
    folder, _, file = source.rpartition("/")
    return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.cpython-312.pyc"


def test_every_module_in_the_package_ships_its_bytecode_for_the_lambda_python(packaged):
    assert LAMBDA_PYTHON_VERSION == "3.12", "a new runtime: change PYTHON_312_MAGIC with it"
    with zipfile.ZipFile(packaged.parent / "deployment.zip") as bundle:
        names = set(bundle.namelist())
        sources = [name for name in names if name.endswith(".py")]
        expected = {bytecode_of(source) for source in sources}
        assert {"__pycache__/app.cpython-312.pyc", "chalicelib/__pycache__/writes.cpython-312.pyc",
                "botocore/__pycache__/client.cpython-312.pyc", "pydantic/__pycache__/main.cpython-312.pyc"} <= expected
        assert expected <= names, sorted(expected - names)[:10]
        heads = {name: bundle.read(name)[:8] for name in names if name.endswith(".pyc")}
    assert {head[:4] for head in heads.values()} == {PYTHON_312_MAGIC}
    assert {int.from_bytes(head[4:8], "little") for head in heads.values()} == {UNCHECKED_HASH}


@pytest.mark.parametrize("template", ["packaged", "packaged_http"])
def test_cfn_lint_accepts_the_template(template, request):
    result = subprocess.run([str(BIN / "cfn-lint"), str(request.getfixturevalue(template))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_with_an_http_api_every_route_reaches_the_api_function_as_a_rest_api_would_send_it(packaged, packaged_http):
    assert not resources_of(packaged_http, "AWS::Serverless::Api")
    [(api_id, api)] = [(name, r) for name, r in resources_of(packaged_http, "AWS::ApiGatewayV2::Api").items()
                       if r["Properties"].get("ProtocolType") != "WEBSOCKET"]
    http_paths = api["Properties"]["Body"]["paths"]
    [rest] = resources_of(packaged, "AWS::Serverless::Api").values()
    rest_paths = rest["Properties"]["DefinitionBody"]["paths"]
    assert {path: set(methods) for path, methods in http_paths.items()} == {
        path: set(methods) for path, methods in rest_paths.items()}
    integrations = [operation["x-amazon-apigateway-integration"]
                    for methods in http_paths.values() for operation in methods.values()]
    assert all(i["type"] == "aws_proxy" and i["payloadFormatVersion"] == "1.0"
               and i["uri"] == {"Fn::GetAtt": ["APIHandler", "Arn"]} for i in integrations)

    [stage] = [r for r in resources_of(packaged_http, "AWS::ApiGatewayV2::Stage").values()
               if r["Properties"]["ApiId"] == {"Ref": api_id}]
    assert stage["Properties"]["StageName"] == "$default" and stage["Properties"]["AutoDeploy"] is True
    assert stage["Properties"]["DefaultRouteSettings"]["ThrottlingRateLimit"] > 0
    [permission] = [p["Properties"] for p in resources_of(packaged_http, "AWS::Lambda::Permission").values()
                    if p["Properties"]["FunctionName"] == {"Ref": "APIHandler"}]
    assert f"${{{api_id}}}/*" in permission["SourceArn"]["Fn::Sub"]
    outputs = json.loads(packaged_http.read_text())["Outputs"]
    assert outputs["EndpointURL"]["Value"]["Fn::Sub"].startswith(f"https://${{{api_id}}}.execute-api.")
    assert "RestAPIId" not in outputs


def test_with_an_http_api_the_5xx_alarm_watches_it_and_nothing_samples_traces(packaged_http):
    [server_errors] = alarms_on(packaged_http, "5xx")
    assert dimension(server_errors, "Stage") == "$default" and server_errors["Statistic"] == "Average"
    assert not alarms_on(packaged_http, "5XXError")
    # An HTTP API has no X-Ray; Lambda's own rule would trace most of a small community's requests.
    assert not resources_of(packaged_http, "AWS::XRay::SamplingRule")
    functions = resources_of(packaged_http, "AWS::Serverless::Function").values()
    assert {function["Properties"]["Tracing"] for function in functions} == {"PassThrough"}


def test_each_function_has_its_own_policy_made_by_infra():
    from infra import policies

    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    app_functions = {"api_handler", *(source.name for source in app.event_sources), *policies.WEBSOCKET_FUNCTIONS}
    for stage in policies.STAGES:
        mapping = config["stages"][stage]["lambda_functions"]
        assert set(mapping) == app_functions
        for function, function_config in mapping.items():
            committed = json.loads((ROOT / ".chalice" / function_config["iam_policy_file"]).read_text())
            assert committed == policies.policy(function, stage), "run: python -m infra.policies"


def test_every_function_that_runs_commands_may_make_each_kind_of_transaction_item():
    """IAM authorises a TransactWriteItems item by item (moto does not check):
    without ConditionCheckItem a follow, a message or a save would be a 500."""
    from infra import policies

    transaction_items = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                         "dynamodb:ConditionCheckItem"}
    # The API, and the consumer that approves requests with the approve command.
    for function in ("api_handler", "request_approver"):
        actions = {action for statement in policies.policy(function, "dev")["Statement"]
                   for action in statement["Action"]}
        assert transaction_items <= actions, function


def test_a_consumer_may_read_only_its_own_queue_and_only_the_api_connect_and_mailer_read_the_secret(packaged):
    roles = resources_of(packaged, "AWS::IAM::Role")
    for function, queue in {"SearchIndexer": "search", "Notifier": "notifications",
                            "HashtagIndexer": "hashtags", "FeedFanout": "feed"}.items():
        statements = roles[f"{function}Role"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        sqs = [s["Resource"] for s in statements if s["Action"][0].startswith("sqs:")]
        assert sqs == [f"arn:aws:sqs:*:*:{PREFIX}-{queue}"]
    readers = [name for name, role in roles.items()
               if any("ssm:GetParameter" in s["Action"]
                      for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"])]
    # The mailer keys its mails' tokens with it (chalicelib/consumers/mail.py); $connect checks the same tokens.
    assert sorted(readers) == ["ApiHandlerRole", "MailerRole", "WebsocketConnectRole"]


def test_only_the_mailer_sends_mail_and_only_from_its_stages_sender(packaged):
    roles = resources_of(packaged, "AWS::IAM::Role")
    senders = {name: s for name, role in roles.items()
               for s in role["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
               if any(action.startswith("ses:") for action in s["Action"])}
    assert list(senders) == ["MailerRole"]
    statement = senders["MailerRole"]
    assert statement["Resource"] == f"arn:aws:ses:*:*:identity/{PREFIX}.example.com"
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": f"no-reply@{PREFIX}.example.com"}}


# --- photos ---------------------------------------------------------------------------

def test_the_private_media_bucket_notifies_the_uploads_queue_and_expires_what_is_left(packaged):
    bucket = resources_of(packaged, "AWS::S3::Bucket")["MediaBucket"]
    properties = bucket["Properties"]
    assert all(properties["PublicAccessBlockConfiguration"].values())
    [notification] = properties["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Queue"] == {"Fn::GetAtt": ["UploadsQueue", "Arn"]}
    assert notification["Event"] == "s3:ObjectCreated:*"
    assert notification["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "uploads/"}]
    assert bucket["DependsOn"] == ["UploadsQueuePolicy"]
    queue_policy = resources_of(packaged, "AWS::SQS::QueuePolicy")["UploadsQueuePolicy"]
    [statement] = queue_policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    rules = {rule["Id"]: rule for rule in properties["LifecycleConfiguration"]["Rules"]}
    assert (rules["uploads-left-behind"]["Prefix"], rules["uploads-left-behind"]["ExpirationInDays"]) == ("uploads/", 1)
    assert rules["unclaimed-renditions"]["TagFilters"] == [{"Key": "claimed", "Value": "no"}]
    assert rules["unclaimed-renditions"]["ExpirationInDays"] == 1
    assert rules["story-renditions"]["TagFilters"] == [{"Key": "claimed", "Value": "story"}]
    [cors] = properties["CorsConfiguration"]["CorsRules"]
    assert (cors["AllowedMethods"], cors["AllowedOrigins"]) == (["POST"], [APP_ORIGIN])


def test_renditions_are_served_by_a_cdn_the_only_reader_of_the_bucket(packaged):
    distribution = resources_of(packaged, "AWS::CloudFront::Distribution")["MediaDistribution"]
    config = distribution["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["MediaOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    policy = resources_of(packaged, "AWS::S3::BucketPolicy")["MediaBucketPolicy"]
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert statement["Resource"]["Fn::Sub"].endswith("/media/*")
    outputs = json.loads(packaged.read_text())["Outputs"]
    assert outputs["MediaBaseUrl"]["Value"] == {"Fn::Sub": "https://${MediaDistribution.DomainName}"}
    # What make destroy empties first: CloudFormation deletes only an empty bucket.
    assert outputs["MediaBucketName"]["Value"] == {"Ref": "MediaBucket"}
    for function in resources_of(packaged, "AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert variables["MEDIA_BASE_URL"] == {"Fn::Sub": "https://${MediaDistribution.DomainName}"}
        assert variables["MEDIA_BUCKET"] == {"Ref": "MediaBucket"}


def test_the_api_only_signs_uploads_and_export_links_and_the_consumers_touch_only_their_part_of_the_bucket(packaged):
    roles = resources_of(packaged, "AWS::IAM::Role")

    def s3_access(role: str) -> dict:
        statements = roles[role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
        return {s["Resource"]["Fn::Sub"]: sorted(s["Action"]) for s in statements if s["Action"][0].startswith("s3:")}

    # The bucket the template makes, by the stack's account and region: no other stage's or account's.
    bucket = f"arn:${{AWS::Partition}}:s3:::{PREFIX}-media-${{AWS::AccountId}}-${{AWS::Region}}"
    assert s3_access("ApiHandlerRole") == {f"{bucket}/uploads/*": ["s3:PutObject"],
                                           f"{bucket}/exports/*": ["s3:GetObject"]}
    # ListBucket: a missing file is then a 404, not a 403.
    assert s3_access("UploadProcessorRole") == {f"{bucket}/uploads/*": ["s3:DeleteObject", "s3:GetObject"],
                                                f"{bucket}/media/*": ["s3:PutObject", "s3:PutObjectTagging"],
                                                bucket: ["s3:ListBucket"]}
    assert s3_access("MediaKeeperRole") == {f"{bucket}/media/*": ["s3:DeleteObject", "s3:PutObjectTagging"],
                                            bucket: ["s3:ListBucket"]}
    assert s3_access("ExporterRole") == {f"{bucket}/media/*": ["s3:GetObject"],
                                         f"{bucket}/exports/*": ["s3:PutObject"], bucket: ["s3:ListBucket"]}
    assert s3_access("MailerRole") == {f"{bucket}/exports/*": ["s3:GetObject"], bucket: ["s3:ListBucket"]}
    # A deleted account's archives.
    assert s3_access("EraserRole") == {f"{bucket}/exports/*": ["s3:DeleteObject"], bucket: ["s3:ListBucket"]}
    others = set(roles) - {"ApiHandlerRole", "UploadProcessorRole", "MediaKeeperRole", "ExporterRole", "MailerRole",
                           "EraserRole"}
    assert others and not any(s3_access(role) for role in others)


def test_the_upload_processor_has_more_memory_than_the_other_functions(packaged):
    functions = resources_of(packaged, "AWS::Serverless::Function")
    memory = {name: f["Properties"]["MemorySize"] for name, f in functions.items()}
    assert memory.pop("UploadProcessor") > max(memory.values())


def test_the_package_bundles_pillow_for_the_lambda_python(packaged):
    abi = "cpython-" + LAMBDA_PYTHON_VERSION.replace(".", "")
    with zipfile.ZipFile(packaged.parent / "deployment.zip") as bundle:
        [extension] = [name for name in bundle.namelist() if name.startswith("PIL/_imaging.") and name.endswith(".so")]
    assert abi in extension, "the bundled Pillow was built for another Python"


# --- live updates ---------------------------------------------------------------------

def test_only_the_push_consumer_and_the_websocket_pong_may_post_and_only_to_this_websocket_api(packaged):
    granting = [policy["Properties"] for policy in resources_of(packaged, "AWS::IAM::Policy").values()
                if "execute-api:ManageConnections" in actions_of(policy["Properties"]["PolicyDocument"]["Statement"])]
    [grant] = granting
    assert grant["Roles"] == [{"Ref": "PusherRole"}, {"Ref": "WebsocketMessageRole"}]
    [statement] = grant["PolicyDocument"]["Statement"]
    assert statement["Resource"]["Fn::Sub"].endswith(":${WebsocketAPI}/*/POST/@connections/*")
    for name, role in resources_of(packaged, "AWS::IAM::Role").items():
        assert not [action for action in actions_of(statements_of(role)) if action.startswith("execute-api:")], name


def test_clients_are_sent_to_the_websocket_stage_and_frames_posted_to_its_management_endpoint(packaged):
    functions = resources_of(packaged, "AWS::Serverless::Function")
    [stage] = resources_of(packaged, "AWS::ApiGatewayV2::Stage").values()
    stage_name = stage["Properties"]["StageName"]
    variables = functions["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["REALTIME_URL"]["Fn::Sub"] == (
        f"wss://${{WebsocketAPI}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage_name}")
    for function in ("Pusher", "WebsocketMessage"):
        variables = functions[function]["Properties"]["Environment"]["Variables"]
        assert variables["REALTIME_MANAGEMENT_URL"]["Fn::Sub"] == (
            f"https://${{WebsocketAPI}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/{stage_name}")
