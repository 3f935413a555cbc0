"""The web app's static files (web/), as `make run` serves them beside the
API: every path outside /api/ and /local/ is a file of web/, `/` its
index.html. Nothing is cached by the browser for long, so an edited file
shows on the next reload; no build step stands between web/ and a browser."""
from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
# Paths the API answers; everything else is the web app's.
API_PREFIXES = ("/api/", "/local/")
_TYPES = {
    ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".json": "application/json",
}


def is_web_path(raw_path: str) -> bool:
    path = urlsplit(raw_path).path
    return not any(path.startswith(prefix) or path == prefix.rstrip("/") for prefix in API_PREFIXES)


def web_file(raw_path: str, root: Path = WEB_ROOT) -> tuple[str, bytes] | None:
    """(content type, bytes) of the file the path names, or None: no such
    file, or a path that leads outside root."""
    path = unquote(urlsplit(raw_path).path)
    relative = path.lstrip("/") or "index.html"
    candidate = (root / relative).resolve()
    if not candidate.is_relative_to(root.resolve()) or not candidate.is_file():
        return None
    content_type = _TYPES.get(candidate.suffix) or mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
    return content_type, candidate.read_bytes()
