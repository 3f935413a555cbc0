"""Feed consumer (to be written)."""
from chalicelib import events


def _todo(event):
    raise NotImplementedError


HANDLERS = {
    events.POST_CREATED: _todo,
    events.POST_DELETED: _todo,
    events.USER_FOLLOWED: _todo,
    events.USER_UNFOLLOWED: _todo,
    events.STORY_CREATED: _todo,
    events.STORY_DELETED: _todo,
}
