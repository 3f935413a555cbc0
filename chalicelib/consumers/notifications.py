"""Notifications consumer (to be written)."""
from chalicelib import events


def _todo(event):
    raise NotImplementedError


HANDLERS = {
    events.POST_LIKED: _todo,
    events.POST_UNLIKED: _todo,
    events.COMMENT_ADDED: _todo,
    events.USER_FOLLOWED: _todo,
}
