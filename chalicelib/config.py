"""Configuration, read from the environment in this one place.

Nothing here performs I/O: values are read when first asked for, so importing
the app stays cheap and tests can change the environment before that.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

LOCAL_STAGE = "local"
# Only ever used by the `local` stage; any other stage refuses to run without
# a real secret (see Settings.load).
_LOCAL_DEV_SECRET = "local-development-secret-not-for-production"


class ConfigurationError(RuntimeError):
    pass


def stage(environ=None) -> str:
    """The stage (STAGE). On Lambda (AWS_LAMBDA_FUNCTION_NAME is set) a
    missing or `local` STAGE stops the function from starting: the local
    stage's settings, a JWT secret published in this file and CORS for
    every origin, must never serve a deployed API. The environment is read
    at each call: chalice's test client replaces os.environ with a stage's
    while a request runs, which /local/mail's 404 on a deployed stage needs."""
    environ = os.environ if environ is None else environ
    name = environ.get("STAGE", LOCAL_STAGE)
    if name in ("", LOCAL_STAGE) and environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise ConfigurationError(
            f"STAGE is {'missing' if not name else repr(name)} on Lambda function "
            f"{environ['AWS_LAMBDA_FUNCTION_NAME']!r}: set it to the deployed stage's name "
            "(.chalice/config.json, environment_variables); the local stage's secret is public"
        )
    return name


def resource_prefix() -> str:
    return os.environ.get("RESOURCE_PREFIX", f"instagram-{stage()}")


def resource_name(logical_name: str) -> str:
    """The physical name of a table, topic or queue in this stage."""
    return f"{resource_prefix()}-{logical_name}"


EVENTS_TOPIC = "events"
# moto's default account: the one every local resource is created in.
_LOCAL_ACCOUNT = "123456789012"


def events_topic_arn(environ=os.environ) -> str:
    """The topic every event goes to (EVENTS_TOPIC_ARN, from a deployed
    stage's template). The local stage's follows from its prefix, so that
    `chalice local --stage local` publishes to `make run`'s AWS unaided."""
    arn = environ.get("EVENTS_TOPIC_ARN", "")
    if arn or environ.get("STAGE", LOCAL_STAGE) != LOCAL_STAGE:
        return arn
    region = environ.get("AWS_REGION") or environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    prefix = environ.get("RESOURCE_PREFIX", f"instagram-{LOCAL_STAGE}")
    return f"arn:aws:sns:{region}:{_LOCAL_ACCOUNT}:{prefix}-{EVENTS_TOPIC}"


# The values CloudWatch Logs accepts for a log group's retention.
LOG_RETENTION_CHOICES = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                         2922, 3288, 3653)


def log_retention_days() -> int:
    """How long a deployed stage keeps its functions' logs (make package)."""
    days = int(os.environ.get("LOG_RETENTION_DAYS", "30"))
    if days not in LOG_RETENTION_CHOICES:
        raise ConfigurationError(f"LOG_RETENTION_DAYS must be one of {LOG_RETENTION_CHOICES}, not {days}")
    return days


def trace_sampling_rate() -> float:
    """The share of the API's requests X-Ray traces on a deployed stage
    (TRACE_SAMPLING_RATE, at make package; 1 while debugging). The events a
    traced request causes are traced with it; nothing else starts a trace."""
    rate = float(os.environ.get("TRACE_SAMPLING_RATE", "0.05"))
    if not 0 <= rate <= 1:
        raise ConfigurationError(f"TRACE_SAMPLING_RATE must be from 0 to 1, not {rate}")
    return rate


API_GATEWAYS = ("rest", "http")


def api_gateway() -> str:
    """Which API Gateway a deployed stage's HTTP API is (API_GATEWAY, at make
    package): "rest", Chalice's own, or "http", an HTTP API in front of the
    same function at under a third of the price per request
    (docs/cost.md says what it gives up)."""
    kind = os.environ.get("API_GATEWAY", "rest")
    if kind not in API_GATEWAYS:
        raise ConfigurationError(f"API_GATEWAY must be one of {', '.join(API_GATEWAYS)}, not {kind!r}")
    return kind


# A browser origin: scheme, host and an optional port, nothing after.
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")


def cors_allowed_origins(environ=os.environ) -> tuple[str, ...]:
    """The browser origins that may call the API (CORS_ALLOWED_ORIGINS,
    comma-separated, or *): every one locally, none on a deployed stage
    unless its operator names them."""
    raw = environ.get("CORS_ALLOWED_ORIGINS")
    if raw is None:
        return ("*",) if stage(environ) == LOCAL_STAGE else ()
    # Browsers send the scheme and host in lower case.
    origins = tuple(origin.strip().rstrip("/").lower() for origin in raw.split(",") if origin.strip())
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise ConfigurationError(f"CORS_ALLOWED_ORIGINS: {origin!r} is not * or an origin like https://example.com")
    return origins


def feed_timeline_cap() -> int:
    """How many of the newest entries a feed timeline keeps (FEED_TIMELINE_CAP)."""
    return _positive("FEED_TIMELINE_CAP", 800)


def feed_trim_every() -> int:
    """A timeline is checked against its cap about once per this many
    entries written to it (FEED_TRIM_EVERY)."""
    return _positive("FEED_TRIM_EVERY", 50)


def _positive(name: str, default: int) -> int:
    value = int(os.environ.get(name, str(default)))
    if value < 1:
        raise ConfigurationError(f"{name} must be at least 1, not {value}")
    return value


def feed_large_account() -> int:
    """Above this many followers an account's posts are not fanned out but
    merged into its followers' feeds on read (FEED_LARGE_ACCOUNT); it is
    fanned out again below nine tenths of it."""
    return _positive("FEED_LARGE_ACCOUNT", 10_000)


def feed_merge_cap() -> int:
    """How many large accounts one feed read merges at most (FEED_MERGE_CAP)."""
    return _positive("FEED_MERGE_CAP", 20)


def feed_fanout_chunk() -> int:
    """How many followers one feed-consumer invocation reaches before it
    continues in a follow-up event (FEED_FANOUT_CHUNK)."""
    return _positive("FEED_FANOUT_CHUNK", 1000)


def erasure_chunk() -> int:
    """How many items one erasure invocation undoes through a command (one
    transaction each: a post, a like, a follow...) before it continues in
    a follow-up event (ERASURE_CHUNK)."""
    return _positive("ERASURE_CHUNK", 25)


def erasure_batch_chunk() -> int:
    """How many items one erasure invocation deletes outright, in batches of
    25 (notifications, timeline entries...), before it continues
    (ERASURE_BATCH_CHUNK)."""
    return _positive("ERASURE_BATCH_CHUNK", 100)


def media_bucket() -> str:
    """The bucket of uploads and renditions (MEDIA_BUCKET). Bucket names are
    global on AWS, so a deployed stage's is made by its template."""
    return os.environ.get("MEDIA_BUCKET") or resource_name("media")


def media_upload_endpoint() -> str | None:
    """Where clients send upload forms (MEDIA_UPLOAD_ENDPOINT): S3's own
    endpoint when unset, as on AWS; locally, the AWS that AWS_ENDPOINT_URL
    names (`make run`'s embedded one, for `chalice local`)."""
    return os.environ.get("MEDIA_UPLOAD_ENDPOINT") or _local_aws_endpoint()


def api_throttle() -> tuple[float, int]:
    """A deployed stage's API Gateway throttle, for all callers together:
    steady requests per second (API_THROTTLE_RATE) and burst
    (API_THROTTLE_BURST). Over it API Gateway answers 429 before any
    function runs, so a flood costs neither Lambda time nor DynamoDB reads."""
    rate = float(os.environ.get("API_THROTTLE_RATE", "200"))
    if rate <= 0:
        raise ConfigurationError(f"API_THROTTLE_RATE must be above 0, not {rate}")
    return rate, _positive("API_THROTTLE_BURST", 400)


def media_base_url() -> str:
    """Where browsers GET renditions (MEDIA_BASE_URL): the stage's CDN on
    AWS, the embedded AWS locally."""
    endpoint = _local_aws_endpoint()
    default = f"{endpoint}/{media_bucket()}" if endpoint else f"https://{media_bucket()}.s3.amazonaws.com"
    return (os.environ.get("MEDIA_BASE_URL") or default).rstrip("/")


def _local_aws_endpoint() -> str | None:
    return os.environ.get("AWS_ENDPOINT_URL") if stage() == LOCAL_STAGE else None


def mail_sender() -> str:
    """The From address of every mail (MAIL_SENDER): an address of the
    stage's SES identity, the only one its policy lets it send from."""
    return os.environ.get("MAIL_SENDER", "Instagram <no-reply@example.com>")


def mail_link_base_url() -> str:
    """Where the links in mails lead (MAIL_LINK_BASE_URL): the web app, whose
    hash routes read `token` from their query string (chalicelib/mail.py
    `link`). The texts are chalicelib/mail_templates.py."""
    return os.environ.get("MAIL_LINK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def account_mail_limits() -> dict[str, int]:
    """Per hour: verification mails one account may ask for again
    (VERIFICATION_RESENDS_PER_HOUR), reset requests for one email address
    (PASSWORD_RESETS_PER_EMAIL) and from one client address (PASSWORD_RESETS_PER_CLIENT);
    per day, data exports one account may start (EXPORTS_PER_DAY)."""
    return {"resend": _positive("VERIFICATION_RESENDS_PER_HOUR", 3),
            "reset_email": _positive("PASSWORD_RESETS_PER_EMAIL", 5),
            "reset_client": _positive("PASSWORD_RESETS_PER_CLIENT", 30),
            "exports": _positive("EXPORTS_PER_DAY", 3)}


def realtime_url() -> str | None:
    """Where clients open their WebSocket (REALTIME_URL): the stage's
    WebSocket API on AWS (its template sets it), `make run`'s own locally;
    None where none is served (`chalice local`, which serves no WebSocket)."""
    return os.environ.get("REALTIME_URL") or None


def realtime_management_url() -> str:
    """Where the push consumer and the WebSocket handlers post frames to
    connections (REALTIME_MANAGEMENT_URL): the WebSocket API stage's
    management endpoint (https://<api>.execute-api.<region>.amazonaws.com/<stage>)
    on AWS, the same API served by `make run` locally."""
    url = os.environ.get("REALTIME_MANAGEMENT_URL", "")
    if not url:
        raise ConfigurationError("REALTIME_MANAGEMENT_URL is not set")
    return url


@dataclass(frozen=True)
class Settings:
    stage: str
    jwt_secret: str
    # An SSM Parameter Store name (SecureString) to read the secret from when
    # JWT_SECRET is not given: how deployed stages get theirs.
    jwt_secret_parameter: str
    jwt_ttl_seconds: int
    bcrypt_rounds: int
    events_topic_arn: str
    # Rate limits: at most this many requests per fixed window of seconds
    # (chalicelib/commands/auth.py says what each is for).
    login_attempts_per_account_and_address: int
    login_attempts_per_address: int
    # Free failed logins per window for an account from everywhere; each one
    # beyond waits a growing delay, at most login_max_delay_seconds.
    login_attempts_per_account: int
    login_max_delay_seconds: int
    login_window_seconds: int
    password_attempts_per_user: int
    registrations_per_address: int
    registration_window_seconds: int
    writes_per_user: int
    writes_window_seconds: int
    uploads_per_user: int
    uploads_window_seconds: int
    cors_allowed_origins: tuple[str, ...]

    @classmethod
    def load(cls, environ=os.environ) -> "Settings":
        current_stage = stage(environ)
        secret = environ.get("JWT_SECRET", "")
        secret_parameter = environ.get("JWT_SECRET_PARAMETER", "")
        if not secret and not secret_parameter:
            if current_stage != LOCAL_STAGE:
                raise ConfigurationError(
                    f"JWT_SECRET or JWT_SECRET_PARAMETER must be set for stage {current_stage!r}"
                )
            secret = _LOCAL_DEV_SECRET
        return cls(
            stage=current_stage,
            jwt_secret=secret,
            jwt_secret_parameter=secret_parameter,
            jwt_ttl_seconds=int(environ.get("JWT_TTL_SECONDS", 24 * 3600)),
            bcrypt_rounds=int(environ.get("BCRYPT_ROUNDS", 12)),
            events_topic_arn=events_topic_arn(environ),
            login_attempts_per_account_and_address=int(environ.get("LOGIN_ATTEMPTS_PER_ACCOUNT_AND_ADDRESS", 10)),
            # Locally every client is 127.0.0.1, a test suite's failed logins included.
            login_attempts_per_address=int(environ.get(
                "LOGIN_ATTEMPTS_PER_ADDRESS", 1_000 if current_stage == LOCAL_STAGE else 50)),
            login_attempts_per_account=int(environ.get("LOGIN_ATTEMPTS_PER_ACCOUNT", 30)),
            login_max_delay_seconds=int(environ.get("LOGIN_MAX_DELAY_SECONDS", 30)),
            login_window_seconds=int(environ.get("LOGIN_WINDOW_SECONDS", 15 * 60)),
            password_attempts_per_user=int(environ.get("PASSWORD_ATTEMPTS_PER_USER", 10)),
            # Locally a test suite registers hundreds of users from 127.0.0.1 too.
            registrations_per_address=int(environ.get(
                "REGISTRATIONS_PER_ADDRESS", 10_000 if current_stage == LOCAL_STAGE else 20)),
            registration_window_seconds=int(environ.get("REGISTRATION_WINDOW_SECONDS", 3600)),
            writes_per_user=int(environ.get("WRITES_PER_USER", 120)),
            writes_window_seconds=int(environ.get("WRITES_WINDOW_SECONDS", 60)),
            uploads_per_user=int(environ.get("UPLOADS_PER_USER", 60)),
            uploads_window_seconds=int(environ.get("UPLOADS_WINDOW_SECONDS", 3600)),
            cors_allowed_origins=cors_allowed_origins(environ),
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.load()
