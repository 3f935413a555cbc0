"""Queries: read with GetItem, Query and BatchGetItem only. Never write."""
