# The link between a check-in and the song lists made for it moves from music's table
# (Recommendation.check_in, a foreign key pointing up the floors) to detection's
# CheckInRecommendation. The links are copied here; music's 0010 then drops its column.

import django.db.models.deletion
from django.db import migrations, models

BATCH = 2000


def links_copy(apps, schema_editor):
    Recommendation = apps.get_model("music", "Recommendation")
    Link = apps.get_model("detection", "CheckInRecommendation")
    pairs = Recommendation.objects.filter(check_in__isnull=False).order_by("id").values_list("id", "check_in_id")
    batch = []
    for recommendation_id, check_in_id in pairs.iterator(chunk_size=BATCH):
        batch.append(Link(check_in_id=check_in_id, recommendation_id=recommendation_id))
        if len(batch) == BATCH:
            Link.objects.bulk_create(batch)
            batch = []
    Link.objects.bulk_create(batch)


def links_restore(apps, schema_editor):
    Recommendation = apps.get_model("music", "Recommendation")
    Link = apps.get_model("detection", "CheckInRecommendation")
    pairs = Link.objects.order_by("id").values_list("recommendation_id", "check_in_id")
    for recommendation_id, check_in_id in pairs.iterator(chunk_size=BATCH):
        Recommendation.objects.filter(pk=recommendation_id).update(check_in_id=check_in_id)


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0006_words"),
        ("music", "0009_listener_preferences"),
    ]
    # Music's migration that drops its column runs after the copy, without naming detection.
    run_before = [("music", "0010_recommendation_check_in_moves_to_detection")]

    operations = [
        migrations.CreateModel(
            name="CheckInRecommendation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "check_in",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="detection.checkin"
                    ),
                ),
                (
                    "recommendation",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="music.recommendation"
                    ),
                ),
            ],
            options={"ordering": ["check_in", "recommendation"]},
        ),
        migrations.AddField(
            model_name="checkin",
            name="recommendations",
            field=models.ManyToManyField(
                blank=True, related_name="+", through="detection.CheckInRecommendation", to="music.recommendation"
            ),
        ),
        migrations.RunPython(links_copy, links_restore),
    ]
