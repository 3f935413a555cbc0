import pytest

from chalicelib.errors import Invalid
from chalicelib.text import hashtags_in, mentioned, mentions_in


@pytest.mark.parametrize("text, names", [
    ("hi @bob", ["bob"]),
    ("@Bob @BOB @bob", ["bob"]),
    ("@ann.lee_2 and @carol.", ["ann.lee_2", "carol"]),
    ("mail ann@example.com", []),
    ("@@bob", []),
    ("@", []),
    (None, []),
    ("@" + "a" * 31, []),  # longer than any username
])
def test_mentions_are_usernames_after_an_at_sign(text, names):
    assert mentioned(text) == names


def test_more_than_twenty_distinct_mentions_are_refused():
    assert len(mentions_in(" ".join(f"@u{number}" for number in range(20)))) == 20
    with pytest.raises(Invalid, match="^content"):
        mentions_in(" ".join(f"@u{number}" for number in range(21)))


def test_hashtags_are_distinct_and_lower_cased():
    assert hashtags_in("#Sun #sun #café") == ["sun", "café"]
