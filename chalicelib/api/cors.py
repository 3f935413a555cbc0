"""CORS: which browser origins may call the API (CORS_ALLOWED_ORIGINS, see
config.py), answered by the app itself rather than by API Gateway's mock
integrations, so that a stage can allow several origins and so that error
responses carry the headers too (the http middleware adds them to every
response; the gateway's own errors get them from infra/cloudformation.py).

A browser sends no cookies here (the API takes bearer tokens), so `*` is
safe to use locally, and credentials are never allowed."""
from __future__ import annotations

from chalice import Chalice, Response

from chalicelib.config import settings

# Browser code can read only these response headers unless they are exposed.
EXPOSED_HEADERS = "X-Next-Cursor, Retry-After"
ALLOWED_REQUEST_HEADERS = "Authorization, Content-Type"
# How long a browser may reuse a preflight's answer.
PREFLIGHT_MAX_AGE_SECONDS = 3600


def allowed_origin(origin: str | None, allowed: tuple[str, ...]) -> str | None:
    """The Access-Control-Allow-Origin answer to a request from origin, or None."""
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


def headers_for(origin: str | None) -> dict[str, str]:
    """What a response to a request from origin carries so that its browser
    may read it. Unless every origin is allowed, the answer depends on the
    Origin header, and caches must know it (Vary), whatever the answer."""
    allowed = settings().cors_allowed_origins
    headers = {"Vary": "Origin"} if allowed and "*" not in allowed else {}
    answer = allowed_origin(origin, allowed)
    if answer is not None:
        headers.update({"Access-Control-Allow-Origin": answer, "Access-Control-Expose-Headers": EXPOSED_HEADERS})
    return headers


def answer_preflights(app: Chalice) -> None:
    """An OPTIONS route on every path of the app, answering browsers'
    preflight requests with that path's methods."""
    for path, entries in list(app.routes.items()):
        methods = ", ".join(sorted({*entries, "OPTIONS"}))
        app.route(path, methods=["OPTIONS"], name=f"preflight {path}")(_preflight(app, methods))


def _preflight(app: Chalice, methods: str):
    def preflight(**_path_parameters):
        origin = app.current_request.headers.get("origin")
        # Without an Origin it is no browser's preflight: just the methods.
        if origin is not None and allowed_origin(origin, settings().cors_allowed_origins) is None:
            return Response(body={"detail": f"Origin {origin} may not call this API"}, status_code=403)
        # The middleware adds Access-Control-Allow-Origin, as to every response.
        return Response(body="", status_code=204, headers={
            "Access-Control-Allow-Methods": methods,
            "Access-Control-Allow-Headers": ALLOWED_REQUEST_HEADERS,
            "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
        })

    return preflight
