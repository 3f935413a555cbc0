"""The embedded DynamoDB of `make run` answers exactly as stock moto (the
suite's) does, only at a cost bounded by the items a call touches
(infra/local_aws.py, `dynamodb_costs_bounded`, and the trimmed per-call
work): the same items for every Query, the same responses, and a cancelled
transaction leaves every item as it was. The only tests that apply those
patches (tests/unit/test_stock_moto.py checks that no other does)."""
import contextlib

import boto3
import pytest
from botocore.exceptions import ClientError

from infra.local_aws import dynamodb_costs_bounded, per_call_overhead_trimmed

TABLE = "instagram-test-embedded"


def create_table(client) -> None:
    client.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "owner", "AttributeType": "N"},
                              {"AttributeName": "item", "AttributeType": "N"},
                              {"AttributeName": "group", "AttributeType": "N"}],
        KeySchema=[{"AttributeName": "owner", "KeyType": "HASH"}, {"AttributeName": "item", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{
            "IndexName": "by-group", "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "group", "KeyType": "HASH"}, {"AttributeName": "item", "KeyType": "RANGE"}],
        }],
    )


@pytest.fixture
def dynamodb(aws):
    client = boto3.client("dynamodb")
    create_table(client)
    yield client
    client.delete_table(TableName=TABLE)


@contextlib.contextmanager
def as_the_local_stack():
    with dynamodb_costs_bounded(), per_call_overhead_trimmed():
        yield


def key(owner: int, item: int) -> dict:
    return {"owner": {"N": str(owner)}, "item": {"N": str(item)}}


def seeded(client) -> None:
    for owner in (1, 2, 3):
        for item in range(1, 31):
            # In group item % 4 of the index, but every fifth item in none (not in the index).
            group = {} if item % 5 == 0 else {"group": {"N": str(item % 4)}}
            client.put_item(TableName=TABLE, Item={**key(owner, item), **group, "note": {"S": f"{owner}/{item}"}})


def partition(owner: int, **more) -> dict:
    return {"KeyConditionExpression": "#o = :o", "ExpressionAttributeNames": {"#o": "owner"},
            "ExpressionAttributeValues": {":o": {"N": str(owner)}}, **more}


def group(number: str, **more) -> dict:
    return {"IndexName": "by-group", "KeyConditionExpression": "#g = :g", "ExpressionAttributeNames": {"#g": "group"},
            "ExpressionAttributeValues": {":g": {"N": number}}, **more}


QUERIES = [
    partition(2),
    partition(2, ScanIndexForward=False, Limit=7),
    {"KeyConditionExpression": "#o = :o AND #i > :i", "ScanIndexForward": False, "Limit": 5,
     "ExpressionAttributeNames": {"#o": "owner", "#i": "item"},
     "ExpressionAttributeValues": {":o": {"N": "3"}, ":i": {"N": "12"}}},
    partition(2, Limit=4, ExclusiveStartKey=key(2, 9)),
    partition(9),  # an empty partition
    group("1"),
    group("1.0"),  # the same number, written otherwise
    group("2", ScanIndexForward=False, Limit=4),
    {**group("3", ScanIndexForward=False, Limit=5), "KeyConditionExpression": "#g = :g AND #i > :i",
     "ExpressionAttributeNames": {"#g": "group", "#i": "item"},
     "ExpressionAttributeValues": {":g": {"N": "3"}, ":i": {"N": "12"}}},
    group("1", Limit=3, ExclusiveStartKey={**key(2, 9), "group": {"N": "1"}}),
    group("7"),  # an empty partition of the index
]


def answers(client) -> list:
    """Every kind of call the app makes, and what each answered."""
    results = [client.query(TableName=TABLE, **query) for query in QUERIES]
    results.append(client.get_item(TableName=TABLE, Key=key(1, 5)))
    results.append(client.batch_get_item(RequestItems={TABLE: {"Keys": [key(1, 1), key(3, 30), key(4, 4)]}}))
    results.append(client.update_item(TableName=TABLE, Key=key(1, 2), UpdateExpression="SET likes = :one",
                                      ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW"))
    results.append(client.put_item(TableName=TABLE, Item={**key(1, 3), "note": {"S": "new"}}, ReturnValues="ALL_OLD"))
    results.append(client.delete_item(TableName=TABLE, Key=key(1, 4), ReturnValues="ALL_OLD"))
    results.append(client.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": key(5, 5)}}]}))
    results.append(client.transact_write_items(TransactItems=[{"Put": {"TableName": TABLE, "Item": key(6, 6)}}]))
    for result in results:
        result.pop("ResponseMetadata")
    return results


def test_every_call_answers_as_stock_moto_does(dynamodb):
    seeded(dynamodb)
    with as_the_local_stack():
        bounded = answers(dynamodb)
    dynamodb.delete_table(TableName=TABLE)
    create_table(dynamodb)
    seeded(dynamodb)
    assert answers(dynamodb) == bounded


def test_a_cancelled_transaction_leaves_every_item_as_it_was(dynamodb):
    seeded(dynamodb)
    before = dynamodb.query(TableName=TABLE, **partition(1))
    with as_the_local_stack(), pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {**key(1, 99), "note": {"S": "created"}}}},
            {"Update": {"TableName": TABLE, "Key": key(1, 1), "UpdateExpression": "SET note = :n",
                        "ExpressionAttributeValues": {":n": {"S": "changed"}}}},
            {"Delete": {"TableName": TABLE, "Key": key(1, 2)}},
            {"Put": {"TableName": TABLE, "Item": key(1, 3), "ConditionExpression": "attribute_not_exists(#o)",
                     "ExpressionAttributeNames": {"#o": "owner"}}},
        ])
    after = dynamodb.query(TableName=TABLE, **partition(1))
    assert after["Items"] == before["Items"]
