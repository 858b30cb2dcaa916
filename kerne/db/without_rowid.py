"""SQLite tables WITHOUT ROWID, for the anonymous tables (DESIGN §3.1).

An ordinary SQLite table has a hidden, increasing `rowid` that lists rows in the order they
were written; a WITHOUT ROWID table is stored in primary-key order, and with random keys no
order is left. Django creates ordinary tables and may rebuild one on a later schema change,
so each migration that creates or alters such a table ends with `keep_without_rowid(...)`.
PostgreSQL has no rowid column: nothing to do there.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def rebuild_without_rowid(schema_editor: Any, tables: tuple[str, ...]) -> None:
    """Rebuild each table WITHOUT ROWID (same columns, rows and indexes) unless it already is."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            (create_sql,) = cursor.fetchone()
            if "WITHOUT ROWID" in create_sql.upper():
                continue
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [table],
            )
            index_sqls = [row[0] for row in cursor.fetchall()]
            new_table = f"new__{table}"
            new_sql = create_sql.replace(f'"{table}"', f'"{new_table}"', 1) + " WITHOUT ROWID"
            cursor.execute(new_sql)
            cursor.execute(f'INSERT INTO "{new_table}" SELECT * FROM "{table}"')
            cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute(f'ALTER TABLE "{new_table}" RENAME TO "{table}"')
            for index_sql in index_sqls:
                cursor.execute(index_sql)


def keep_without_rowid(*tables: str) -> migrations.RunPython:
    """A migration operation that leaves `tables` WITHOUT ROWID on SQLite (no-op backwards)."""

    def forwards(apps: Any, schema_editor: Any) -> None:
        rebuild_without_rowid(schema_editor, tables)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
