import pytest

from chalicelib.config import (
    ConfigurationError,
    Settings,
    cors_allowed_origins,
    events_topic_arn,
    log_retention_days,
    media_base_url,
    media_upload_endpoint,
)


def test_the_local_stage_runs_with_a_development_secret():
    assert Settings.load({"STAGE": "local"}).jwt_secret


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_other_stages_refuse_to_start_without_a_secret(stage):
    with pytest.raises(ConfigurationError):
        Settings.load({"STAGE": stage})


def test_bcrypt_cost_defaults_to_12():
    assert Settings.load({"STAGE": "prod", "JWT_SECRET": "s" * 32}).bcrypt_rounds == 12


def test_a_deployed_stage_may_name_an_ssm_parameter_instead():
    loaded = Settings.load({"STAGE": "prod", "JWT_SECRET_PARAMETER": "/instagram/prod/jwt-secret"})
    assert loaded.jwt_secret == "" and loaded.jwt_secret_parameter == "/instagram/prod/jwt-secret"


def test_log_retention_defaults_to_30_days_and_takes_only_what_cloudwatch_accepts(monkeypatch):
    monkeypatch.delenv("LOG_RETENTION_DAYS", raising=False)
    assert log_retention_days() == 30
    monkeypatch.setenv("LOG_RETENTION_DAYS", "90")
    assert log_retention_days() == 90
    monkeypatch.setenv("LOG_RETENTION_DAYS", "31")
    with pytest.raises(ConfigurationError, match="LOG_RETENTION_DAYS"):
        log_retention_days()


def test_cors_allows_every_origin_locally_and_none_on_a_deployed_stage_by_default():
    assert cors_allowed_origins({"STAGE": "local"}) == ("*",)
    assert cors_allowed_origins({"STAGE": "prod"}) == ()


def test_cors_origins_are_a_comma_separated_list_of_origins():
    environ = {"STAGE": "prod", "CORS_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:3000/"}
    assert cors_allowed_origins(environ) == ("https://app.example.com", "http://localhost:3000")


@pytest.mark.parametrize("origin", ["app.example.com", "https://app.example.com/path", "ftp://x"])
def test_cors_refuses_what_is_not_an_origin(origin):
    with pytest.raises(ConfigurationError):
        cors_allowed_origins({"CORS_ALLOWED_ORIGINS": origin})


def test_the_local_stage_names_its_events_topic_from_its_prefix_in_motos_account():
    environ = {"STAGE": "local", "RESOURCE_PREFIX": "instagram-mine", "AWS_DEFAULT_REGION": "eu-west-1"}
    assert Settings.load(environ).events_topic_arn == "arn:aws:sns:eu-west-1:123456789012:instagram-mine-events"
    assert events_topic_arn({"STAGE": "local"}) == "arn:aws:sns:us-east-1:123456789012:instagram-local-events"


def test_a_deployed_stage_takes_its_events_topic_from_its_template_only():
    secret = {"JWT_SECRET": "s" * 32}
    assert Settings.load({"STAGE": "prod", **secret}).events_topic_arn == ""
    named = "arn:aws:sns:eu-west-1:210987654321:instagram-prod-events"
    assert Settings.load({"STAGE": "prod", "EVENTS_TOPIC_ARN": named, **secret}).events_topic_arn == named


def test_local_media_urls_lead_to_the_aws_that_aws_endpoint_url_names(monkeypatch):
    monkeypatch.delenv("MEDIA_UPLOAD_ENDPOINT", raising=False)
    monkeypatch.delenv("MEDIA_BASE_URL", raising=False)
    monkeypatch.setenv("MEDIA_BUCKET", "instagram-local-media")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5123")
    monkeypatch.setenv("STAGE", "local")
    assert media_upload_endpoint() == "http://127.0.0.1:5123"
    assert media_base_url() == "http://127.0.0.1:5123/instagram-local-media"
    monkeypatch.setenv("STAGE", "prod")
    assert media_upload_endpoint() is None
    assert media_base_url() == "https://instagram-local-media.s3.amazonaws.com"
