"""Load the instruments that ship with Kerne (kerne/surveys/data/*.yaml), so every
installation has them. `kerne load-instruments` loads them again after an upgrade."""

from django.db import migrations


def load(apps, schema_editor):
    from kerne.surveys.instruments import load_shipped_instruments

    load_shipped_instruments(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0003_anonymous_tables_without_rowid"),
        ("foundation", "0002_ballerup_foundation"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
