"""On PostgreSQL, compare unit paths byte by byte (COLLATE "C").

Subtree queries are range scans `path >= P AND path < P || '~'`, which assume code-point
order (as SQLite's BINARY collation and Python's str comparison give). A database created
with a linguistic collation (da_DK, ICU) may order '~' and digits differently, so the
column is pinned to "C". SQLite needs nothing. A later AlterField on Unit.path must keep
this collation.
"""

from django.db import migrations


def use_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE organisation_unit ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [("organisation", "0002_pipeline_levels")]
    operations = [migrations.RunPython(use_c_collation, migrations.RunPython.noop)]
