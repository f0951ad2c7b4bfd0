from django.db import migrations, models


class Migration(migrations.Migration):
    # Apart from 0003's data change: PostgreSQL may refuse an ALTER TABLE after updates in one transaction.
    dependencies = [("detection", "0003_manual_mood_as_said")]

    operations = [
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(("finished_at__isnull", True), ("finished_at__gte", models.F("created_at")), _connector="OR"),
                name="check_in_finishes_after_creation",
            ),
        ),
    ]
