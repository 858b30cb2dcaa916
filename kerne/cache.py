"""The cache shared by every worker (``caches["shared"]``): Django's database cache, made fit
for counting.

Kerne's ``default`` cache is each process's own memory, on purpose: round results are
memoised there (kerne/results/rollup.py). What must be the same for every gunicorn worker
and every app server — the open-survey rate limit — is counted in ``shared``, a table in
Kerne's database (``kerne_cache``), created by ``kerne migrate`` (post_migrate, below) and
by ``kerne createcachetable``.

Django's DatabaseCache counts with a read and a write (BaseCache.incr), so two workers
counting at once can lose a step, and the write resets the entry's expiry. Here ``incr``
locks the row (SQLite: the transaction's write lock) and keeps the expiry, and an ``add``
that starts a new entry first deletes the expired ones, so a counter of a client's address
hash does not outlive its window.
"""

from __future__ import annotations

import base64
import pickle
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connections, router, transaction
from django.utils import timezone

SHARED = "shared"


class SharedDatabaseCache(DatabaseCache):
    @property
    def table(self) -> str:
        return str(self._table)  # type: ignore[attr-defined]  # set by BaseDatabaseCache

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        table, value_column = quote_name(self.table), quote_name("value")
        key_column, expires_column = quote_name("cache_key"), quote_name("expires")
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {value_column} FROM {table} WHERE {key_column} = %s AND {expires_column} >= %s"
                f"{lock}",
                [key, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found")
            stored = connection.ops.process_clob(row[0])
            value = pickle.loads(base64.b64decode(stored.encode())) + delta
            cursor.execute(
                f"UPDATE {table} SET {value_column} = %s WHERE {key_column} = %s",
                [base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1"), key],
            )
        return value

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        added = super().add(key, value, timeout=timeout, version=version)
        if added:
            self.delete_expired()
        return added

    def delete_expired(self) -> None:
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        quote_name = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote_name(self.table)} WHERE {quote_name('expires')} < %s",
                [connection.ops.adapt_datetimefield_value(timezone.now())],
            )


def create_cache_tables(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: the database caches' tables exist wherever Kerne's tables do."""
    call_command("createcachetable", database=using, verbosity=0)
