"""What a post's or comment's text refers to: #hashtags and @mentions.
Commands refuse a text with too many when it is written; consumers read
the same from the stored text."""
from __future__ import annotations

import re

from chalicelib.errors import Invalid

MAX_HASHTAGS = 30
# A tag is a DynamoDB key (hashtags' sort key: at most 1,024 bytes); 100
# characters of up to 4 UTF-8 bytes each stay well inside that.
MAX_HASHTAG_LENGTH = 100
MAX_MENTIONS = 20

_HASHTAG = re.compile(r"#(\w+)")
# A username: letters, digits, "." and "_", at most 30 (as at registration).
# Not after a word character or "@", so "ann@example.com" mentions nobody.
_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9._]{1,30})(?![A-Za-z0-9._])")


def hashtags_in(content: str | None) -> list[str]:
    """The distinct tags of a text, lower-cased, in order of appearance."""
    tags = list(dict.fromkeys(tag.lower() for tag in _HASHTAG.findall(content or "")))
    if len(tags) > MAX_HASHTAGS:
        raise Invalid(f"content: at most {MAX_HASHTAGS} hashtags")
    if any(len(tag) > MAX_HASHTAG_LENGTH for tag in tags):
        raise Invalid(f"content: a hashtag may have at most {MAX_HASHTAG_LENGTH} characters")
    return tags


def mentions_in(content: str | None) -> list[str]:
    """The distinct usernames a text to be written mentions; Invalid when
    there are more than MAX_MENTIONS."""
    names = mentioned(content)
    if len(names) > MAX_MENTIONS:
        raise Invalid(f"content: at most {MAX_MENTIONS} distinct mentions")
    return names


def mentioned(content: str | None) -> list[str]:
    """The distinct usernames a text mentions, lower-cased (usernames are
    case-insensitive), in order of appearance. Trailing periods end the
    sentence, not the name ("thanks @bob." names bob)."""
    names = (name.rstrip(".").lower() for name in _MENTION.findall(content or ""))
    return list(dict.fromkeys(name for name in names if name))
