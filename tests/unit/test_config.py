import pytest

from chalicelib.config import ConfigurationError, Settings, cors_allowed_origins, log_retention_days


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
