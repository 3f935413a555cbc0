"""The one write mechanism (chalicelib/writes.py), without DynamoDB: which
item a cancellation reason belongs to, what it means, and how a command is
run again."""
import pytest
from pynamodb.exceptions import CancellationReason, VerboseClientError

from chalicelib import writes
from chalicelib.errors import Busy, Conflict, NotFound
from chalicelib.writes import NOTHING_TO_DO, RETRY, SKIP, Item, decision

FAILED = writes.CONDITION_FAILED
CONFLICT = writes.TRANSACTION_CONFLICT


def items(*meanings) -> list[Item]:
    return [Item({"Put": {"TableName": f"t{number}"}}, meaning) for number, meaning in enumerate(meanings)]


def test_a_failed_condition_means_what_its_own_item_says():
    gone = NotFound("Post not found")
    assert decision(items(RETRY, gone), [None, FAILED]) is gone
    assert decision(items(RETRY, gone), [FAILED, None]) is RETRY


def test_the_first_failed_item_decides_in_the_order_the_command_added_them():
    first, second = Conflict("Email already registered"), Conflict("Username already taken")
    assert decision(items(first, second), [FAILED, FAILED]) is first
    assert decision(items(first, second), [None, FAILED]) is second


def test_a_skippable_item_decides_only_when_nothing_else_failed():
    gone = NotFound("gone")
    assert decision(items(SKIP, gone), [FAILED, FAILED]) is gone
    assert decision(items(RETRY, SKIP, SKIP), [None, FAILED, FAILED]) is SKIP


def test_a_conflict_with_another_transaction_is_retried():
    assert decision(items(NotFound("x"), RETRY), [CONFLICT, None]) is RETRY


def test_a_failed_condition_outweighs_a_conflict():
    gone = NotFound("gone")
    assert decision(items(gone, RETRY), [FAILED, CONFLICT]) is gone


def test_a_cancellation_without_reasons_is_not_understood():
    assert decision(items(RETRY), []) is None
    assert decision(items(RETRY), ["ValidationError"]) is None


class FakeDynamoDB:
    """Answers each TransactWriteItems with the next of `answers`: None
    commits, a list of codes cancels with those reasons."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.sent = []

    def dispatch(self, operation, kwargs):
        assert operation == "TransactWriteItems"
        self.sent.append([next(iter(item.values()))["TableName"] for item in kwargs["TransactItems"]])
        codes = self.answers.pop(0)
        if codes is None:
            return {}
        # As PynamoDB's connection raises it.
        raise VerboseClientError(
            {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}}, operation,
            cancellation_reasons=[CancellationReason(code=code) if code else None for code in codes])


@pytest.fixture
def dynamodb(monkeypatch):
    def answering(*answers):
        fake = FakeDynamoDB(answers)
        monkeypatch.setattr(writes, "connection", lambda: fake)
        monkeypatch.setattr(writes.time, "sleep", lambda seconds: None)
        return fake

    return answering


class Put:
    """Stands in for a PynamoDB model: what writes.Writes asks of one."""

    def __init__(self, table: str):
        self.table = table

    def get_save_kwargs_from_instance(self, condition=None):
        return {"TableName": self.table}


def counting_command(*meanings):
    runs = []

    @writes.command("do it")
    def do_it(w):
        runs.append(len(runs))
        for number, meaning in enumerate(meanings):
            w.put(Put(f"t{number}"), otherwise=meaning)
        return "done"

    return do_it, runs


def test_items_are_sent_in_the_order_the_command_added_them(dynamodb):
    fake = dynamodb(None)
    do_it, _ = counting_command(RETRY, RETRY, RETRY)
    assert do_it() == "done"
    assert fake.sent == [["t0", "t1", "t2"]]


def test_a_retry_runs_the_whole_command_again_and_gives_up_busy(dynamodb):
    dynamodb(*[[FAILED]] * writes.ATTEMPTS)
    do_it, runs = counting_command(RETRY)
    with pytest.raises(Busy, match="Could not do it right now, please retry"):
        do_it()
    assert len(runs) == writes.ATTEMPTS


def test_a_domain_error_is_raised_at_once(dynamodb):
    dynamodb([None, FAILED])
    do_it, runs = counting_command(RETRY, NotFound("Post not found"))
    with pytest.raises(NotFound, match="Post not found"):
        do_it()
    assert len(runs) == 1


def test_a_skipped_item_is_left_out_and_the_rest_committed(dynamodb):
    fake = dynamodb([None, FAILED, None], None)
    do_it, runs = counting_command(RETRY, SKIP, SKIP)
    assert do_it() == "done"
    assert fake.sent == [["t0", "t1", "t2"], ["t0", "t2"]]
    assert len(runs) == 1


def test_nothing_to_do_returns_without_running_again(dynamodb):
    fake = dynamodb([FAILED])
    do_it, runs = counting_command(NOTHING_TO_DO)
    assert do_it() == "done"
    assert len(runs) == 1 and len(fake.sent) == 1


def test_an_error_that_is_not_a_cancellation_stands(dynamodb):
    dynamodb(["ValidationError"])
    do_it, _ = counting_command(RETRY)
    with pytest.raises(Exception, match="Failed to write transaction items"):
        do_it()
