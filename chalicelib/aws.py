"""boto3 clients, made on first use (never at import) and then reused.

The endpoint comes from botocore's own configuration, so AWS_ENDPOINT_URL
points every client (and PynamoDB) at the local moto server when it is set.
"""
from __future__ import annotations

from functools import lru_cache

import boto3
from botocore.config import Config

# Upload forms signed with Signature Version 4, which every region accepts.
_CONFIG = {"s3": Config(signature_version="s3v4")}


@lru_cache(maxsize=None)
def client(service: str):
    return boto3.client(service, config=_CONFIG.get(service))
