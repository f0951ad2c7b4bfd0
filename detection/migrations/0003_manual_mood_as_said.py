from django.conf import settings
from django.db import migrations, models

from ml.labels import EMOTIONS


def manual_check_ins_as_said(apps, schema_editor):
    """Existing hand-picked moods become what they are (the emotion at 1.0, no confidence), and no
    check-in finishes before it was created (manual ones did, by microseconds): the constraint
    of 0004 would refuse those rows."""
    CheckIn = apps.get_model("detection", "CheckIn")
    for check_in in CheckIn.objects.filter(kind="manual").only("top_emotion"):
        check_in.emotions = {name: (1.0 if name == check_in.top_emotion else 0.0) for name in EMOTIONS}
        check_in.save(update_fields=["emotions"])
    CheckIn.objects.filter(kind="manual").update(confidence=None)
    CheckIn.objects.filter(finished_at__lt=models.F("created_at")).update(finished_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0002_check_in_rename"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(manual_check_ins_as_said, migrations.RunPython.noop),
    ]
