"""The deployed stage's web app: web/ in a private bucket behind CloudFront,
and its origin the browser origin the stage allows unless the stage names
others (CORS_ALLOWED_ORIGINS)."""
import pytest

from app import app
from infra import cloudformation

WEB_ORIGIN = {"Fn::Sub": "https://${WebDistribution.DomainName}"}


@pytest.fixture
def dev_template(monkeypatch):
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.delenv("CORS_ALLOWED_ORIGINS", raising=False)
    return cloudformation.template(app)


def test_the_web_app_is_served_from_a_private_bucket_through_its_own_cdn(dev_template):
    resources = dev_template["Resources"]
    bucket = resources["WebBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    [statement] = resources["WebBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert statement["Action"] == "s3:GetObject"
    assert "${WebDistribution}" in statement["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    config = resources["WebDistribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    outputs = dev_template["Outputs"]
    assert outputs["WebUrl"]["Value"] == WEB_ORIGIN
    assert outputs["WebBucketName"]["Value"] == {"Ref": "WebBucket"}
    assert outputs["WebDistributionId"]["Value"] == {"Ref": "WebDistribution"}


def test_without_named_origins_the_web_apps_origin_may_call_the_api_and_upload(dev_template):
    resources = dev_template["Resources"]
    variables = resources["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["CORS_ALLOWED_ORIGINS"] == WEB_ORIGIN
    [rule] = resources["MediaBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [WEB_ORIGIN]
    responses = resources["RestAPI"]["Properties"]["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    for response in responses.values():
        assert response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == {
            "Fn::Sub": "'https://${WebDistribution.DomainName}'"}


def test_origins_the_stage_names_replace_the_web_apps(monkeypatch):
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "https://app.example.com")
    variables = cloudformation.template(app)["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]
    assert variables["CORS_ALLOWED_ORIGINS"] == "https://app.example.com"
