from django.db import migrations


def load(apps, schema_editor):
    from kerne.foundation.seed import load_foundation, read_foundation

    load_foundation(apps, read_foundation())


class Migration(migrations.Migration):
    dependencies = [("foundation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
