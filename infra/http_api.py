"""The stage's API as an API Gateway HTTP API instead of Chalice's REST API
(API_GATEWAY=http at `make package`): the same function behind it, every
route of the app declared once in the API's OpenAPI body, each a Lambda
proxy integration of payload format 1.0, the event shape of a REST API's
proxy integration, which Chalice routes (aws/chalice#1321: Chalice itself
knows only REST). docs/cost.md says what it saves and what it gives up.

Chalice's package always has its REST API, and a merged template can add
to it but not take it away: `without_rest_api` removes it from the
package afterwards."""
from __future__ import annotations

from chalicelib.config import api_throttle, resource_prefix

HTTP_API_ID = "HttpApi"
# The stage that needs no name in the URL; deployed on every change.
DEFAULT_STAGE = "$default"
ENDPOINT_URL = {"Fn::Sub": f"https://${{{HTTP_API_ID}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/"}


def resources(app, function_id: str) -> dict:
    """The HTTP API, its throttled stage, and its right to invoke the function."""
    integration = {"type": "aws_proxy", "httpMethod": "POST", "payloadFormatVersion": "1.0",
                   "uri": {"Fn::GetAtt": [function_id, "Arn"]}}
    paths = {path: {method.lower(): {"x-amazon-apigateway-integration": integration} for method in methods}
             for path, methods in app.routes.items()}
    rate, burst = api_throttle()
    return {
        HTTP_API_ID: {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Body": {"openapi": "3.0.1", "info": {"title": resource_prefix(), "version": "1.0"}, "paths": paths},
        }},
        f"{HTTP_API_ID}Stage": {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {
            "ApiId": {"Ref": HTTP_API_ID}, "StageName": DEFAULT_STAGE, "AutoDeploy": True,
            "DefaultRouteSettings": {"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst},
        }},
        f"{HTTP_API_ID}InvokePermission": {"Type": "AWS::Lambda::Permission", "Properties": {
            "FunctionName": {"Ref": function_id}, "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:"
                                     f"${{{HTTP_API_ID}}}/*"},
        }},
    }


def server_errors_metric() -> tuple[str, dict]:
    """The metric whose average is the share of requests answered 5xx, and its dimensions."""
    return "5xx", {"ApiId": {"Ref": HTTP_API_ID}, "Stage": DEFAULT_STAGE}


def without_rest_api(template: dict, rest_api_id: str) -> dict:
    """Chalice's package without its REST API, the permission to invoke the
    function it grants, and its id among the outputs."""
    kept = {name: resource for name, resource in template["Resources"].items()
            if name != rest_api_id and not _refers_to(resource, rest_api_id)}
    outputs = {name: output for name, output in template.get("Outputs", {}).items()
               if not _refers_to(output, rest_api_id)}
    return {**template, "Resources": kept, "Outputs": outputs}


def _refers_to(value, resource_id: str) -> bool:
    if isinstance(value, dict):
        return value.get("Ref") == resource_id or any(_refers_to(part, resource_id) for part in value.values())
    if isinstance(value, list):
        return any(_refers_to(part, resource_id) for part in value)
    return isinstance(value, str) and (f"${{{resource_id}}}" in value or f"${{{resource_id}." in value)  # Fn::Sub
