from django.db import migrations


def load(apps, schema_editor):
    from kerne.organisation.seed import load_pipeline_levels

    load_pipeline_levels(apps)


class Migration(migrations.Migration):
    dependencies = [("organisation", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
