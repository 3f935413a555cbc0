"""boto3 clients, made on first use (never at import) and then reused.

The endpoint comes from botocore's own configuration, so AWS_ENDPOINT_URL
points every client (and PynamoDB) at the local moto server when it is set.
"""
from __future__ import annotations

from functools import lru_cache

import boto3
from botocore.config import Config

from chalicelib.config import media_upload_endpoint, realtime_management_url


@lru_cache(maxsize=None)
def client(service: str):
    return boto3.client(service)


@lru_cache(maxsize=1)
def upload_signer():
    """The S3 client that signs upload forms (no call): for the endpoint
    clients upload to, with Signature Version 4, which every region accepts."""
    endpoint = media_upload_endpoint()
    addressing = {"addressing_style": "path"} if endpoint else None  # an endpoint like http://127.0.0.1:5000
    return boto3.client("s3", endpoint_url=endpoint, config=Config(signature_version="s3v4", s3=addressing))


@lru_cache(maxsize=1)
def connections_api():
    """API Gateway's management API of the stage's WebSocket API (its
    endpoint is the API's own). A frame is small and a late one as good as
    lost: short timeouts, so that a stuck endpoint holds a batch up for
    seconds, not a minute."""
    return boto3.client("apigatewaymanagementapi", endpoint_url=realtime_management_url(),
                        config=Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard"}))
