"""Every invitation knows the unit its answers are stored on (DESIGN §3.1).

`Invitation.response_unit` is set when a round launches: the invitation's unit, or the
nearest unit above it whose subtree had at least k invitations (kerne/surveys/pooling.py),
so no stored response sits on a unit so small that the tables alone point to a person.
Invitations from before this migration have none; their answers go to their unit.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organisation", "0003_unit_path_c_collation"),
        ("surveys", "0006_response_without_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="response_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisation.unit",
            ),
        ),
    ]
