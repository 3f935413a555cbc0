import json
import logging

from chalicelib.logs import JsonFormatter


def test_a_consumer_log_line_is_json_with_event_id_type_and_outcome():
    record = logging.LogRecord("instagram-events", logging.INFO, __file__, 1, "handled", None, None)
    record.event_id, record.type, record.outcome = "e-1", "post.liked", "done"
    line = json.loads(JsonFormatter("instagram-events").format(record))
    assert line["service"] == "instagram-events"
    assert (line["event_id"], line["type"], line["outcome"]) == ("e-1", "post.liked", "done")
    assert line["message"] == "handled" and line["level"] == "INFO"
