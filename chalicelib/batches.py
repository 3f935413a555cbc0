"""Batch writes whose unprocessed items are retried with backoff and never
dropped. DynamoDB's BatchWriteItem may leave some items unprocessed (a
partition over its throughput, as under a large fan-out); PynamoDB resends
them at once, without waiting, and gives up after a few tries. Here every
resend waits a jittered, doubling delay first, and if items are still left
after ATTEMPTS the batch raises, so the consumer's message is retried and,
at last, dead-lettered: never lost silently."""
from __future__ import annotations

import random
import time
from typing import TypeVar

from pynamodb.constants import DELETE, DELETE_REQUEST, ITEM, KEY, PUT, PUT_REQUEST, UNPROCESSED_ITEMS
from pynamodb.exceptions import PutError
from pynamodb.models import BatchWrite

M = TypeVar("M")

ATTEMPTS = 8
FIRST_BACKOFF_SECONDS = 0.05


class PatientBatchWrite(BatchWrite):
    def commit(self) -> None:
        puts = [op["item"].serialize() for op in self.pending_operations if op["action"] == PUT]
        deletes = [op["item"]._get_keys() for op in self.pending_operations if op["action"] == DELETE]
        self.pending_operations = []
        for attempt in range(ATTEMPTS):
            if not puts and not deletes:
                return
            if attempt:
                time.sleep(random.uniform(0, FIRST_BACKOFF_SECONDS * 2 ** attempt))
            answer = self.model._get_connection().batch_write_item(put_items=puts, delete_items=deletes) or {}
            left = answer.get(UNPROCESSED_ITEMS, {}).get(self.model.Meta.table_name) or []
            puts = [request[PUT_REQUEST][ITEM] for request in left if PUT_REQUEST in request]
            deletes = [request[DELETE_REQUEST][KEY] for request in left if DELETE_REQUEST in request]
        if puts or deletes:
            self.failed_operations = left
            raise PutError(f"{len(left)} items of a batch write still unprocessed after {ATTEMPTS} attempts")


def batch_write(model: type[M]) -> PatientBatchWrite:
    """Use as `with batch_write(Model) as batch: batch.save(item) / batch.delete(item)`."""
    return PatientBatchWrite(model)
