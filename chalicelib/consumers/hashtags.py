"""Hashtags consumer (to be written)."""
from chalicelib import events


def _todo(event):
    raise NotImplementedError


HANDLERS = {
    events.POST_CREATED: _todo,
    events.POST_DELETED: _todo,
}
