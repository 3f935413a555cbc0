import time

from chalicelib.ids import MAX_ID, id_time_ms, new_id


def test_ids_are_positive_js_safe_unique_and_increasing():
    ids = [new_id() for _ in range(20_000)]
    assert all(0 < i <= MAX_ID == 2**53 - 1 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_an_id_carries_its_creation_time():
    before = int(time.time() * 1000)
    identifier = new_id()
    assert before <= id_time_ms(identifier) <= int(time.time() * 1000) + 1


def test_the_layout_lasts_until_2094():
    # 41 bits of milliseconds after the 2025 epoch.
    seventy_years_ms = 69 * 365 * 24 * 3600 * 1000
    assert (seventy_years_ms << 12) | 4095 <= MAX_ID
