import io
import json
import logging

from chalicelib import logs
from chalicelib.logs import JsonFormatter


def test_a_consumer_log_line_is_json_with_event_id_type_and_outcome():
    record = logging.LogRecord("instagram-events", logging.INFO, __file__, 1, "handled", None, None)
    record.event_id, record.type, record.outcome = "e-1", "post.liked", "done"
    line = json.loads(JsonFormatter("instagram-events").format(record))
    assert line["service"] == "instagram-events"
    assert (line["event_id"], line["type"], line["outcome"]) == ("e-1", "post.liked", "done")
    assert line["message"] == "handled" and line["level"] == "INFO"


def test_every_extra_the_caller_passes_is_in_the_line_and_no_record_attribute_is():
    stream = io.StringIO()
    logger = logging.Logger("extras")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("instagram-api"))
    logger.addHandler(handler)
    logger.warning("GET /api/health 200", extra={"route": "/api/health", "status": 200, "user_id": None,
                                                 "duration_ms": 1.5, "service": "an impostor"})
    line = json.loads(stream.getvalue())
    assert line == {
        "time": line["time"], "level": "WARNING", "service": "instagram-api", "message": "GET /api/health 200",
        "route": "/api/health", "status": 200, "user_id": None, "duration_ms": 1.5,
    }



def test_only_the_first_invocation_of_a_process_is_a_cold_start(monkeypatch):
    monkeypatch.setattr(logs, "_cold", True)
    assert [logs.cold_start() for _ in range(3)] == [True, False, False]


def test_a_line_parses_back_into_what_the_formatter_wrote_and_any_other_line_into_none():
    record = logging.LogRecord("instagram-events", logging.INFO, __file__, 1, "handled", None, None)
    record.consumer, record.outcome, record.duration_ms = "feed", "done", 3.5
    line = JsonFormatter("instagram-events").format(record)
    assert logs.parse_line(line) == json.loads(line)
    assert logs.parse_line(line)["consumer"] == "feed"
    for other in ("Traceback (most recent call last):", '{"status": "ok"}', "[1, 2]", ""):
        assert logs.parse_line(other) is None
