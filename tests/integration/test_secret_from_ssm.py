"""Deployed stages read the JWT secret from SSM Parameter Store on first
use, not from a plaintext value in the repository."""
import hashlib
import hmac

import boto3
import jwt
import pytest

from chalicelib import config, security


@pytest.fixture
def dev_stage_with_ssm_secret(aws, monkeypatch):
    boto3.client("ssm").put_parameter(Name="/instagram/dev/jwt-secret", Type="SecureString",
                                      Value="a-secret-kept-in-parameter-store-0123456789", Overwrite=True)
    monkeypatch.setenv("STAGE", "dev")
    monkeypatch.setenv("JWT_SECRET_PARAMETER", "/instagram/dev/jwt-secret")
    for cached in (config.settings, security.signing_secret):
        cached.cache_clear()
    yield
    for cached in (config.settings, security.signing_secret):
        cached.cache_clear()


def test_tokens_are_signed_with_the_secret_from_ssm(dev_stage_with_ssm_secret):
    token = security.create_access_token(42, 0)
    key = hmac.new(b"a-secret-kept-in-parameter-store-0123456789", b"instagram/access-token", hashlib.sha256).digest()
    claims = jwt.decode(token, key, algorithms=["HS256"])
    assert claims["sub"] == "42"
    assert security.read_access_token(token).user_id == 42
