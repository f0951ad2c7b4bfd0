# A list no longer points at the check-in it was made for: detection links its check-ins to lists
# (detection.CheckInRecommendation, whose migration 0007 copies the links and runs before this one).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("music", "0009_listener_preferences"),
    ]

    operations = [
        migrations.RemoveField(model_name="recommendation", name="check_in"),
    ]
