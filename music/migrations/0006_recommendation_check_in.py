# Recommendation.submission follows the model's new name: check_in.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0002_check_in_rename"),
        ("music", "0005_genre_emotion_indexes"),
    ]

    operations = [
        migrations.RenameField(model_name="recommendation", old_name="submission", new_name="check_in"),
        migrations.AlterField(
            model_name="recommendation",
            name="check_in",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="recommendations",
                to="detection.checkin",
            ),
        ),
    ]
