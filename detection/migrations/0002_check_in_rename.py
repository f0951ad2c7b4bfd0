# One word for one thing: a Submission is a check-in everywhere (UI, API and code).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_CONSTRAINTS = [
    "submission_kind_valid",
    "submission_status_valid",
    "submission_confidence_range",
    "submission_done_has_result",
    "submission_failed_has_error",
]


class Migration(migrations.Migration):
    dependencies = [
        ("detection", "0001_initial"),
        # music's foreign key to the old name must exist before the rename carries it along.
        ("music", "0002_recommendation_submission_fk"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *[migrations.RemoveConstraint(model_name="submission", name=name) for name in OLD_CONSTRAINTS],
        migrations.RenameModel(old_name="Submission", new_name="CheckIn"),
        migrations.RenameModel(old_name="SubmissionFrame", new_name="CheckInFrame"),
        migrations.RenameField(model_name="faceresult", old_name="submission", new_name="check_in"),
        migrations.RemoveConstraint(model_name="checkinframe", name="frame_unique_index"),
        migrations.RenameField(model_name="checkinframe", old_name="submission", new_name="check_in"),
        migrations.AddConstraint(
            model_name="checkinframe",
            constraint=models.UniqueConstraint(fields=("check_in", "index"), name="frame_unique_index"),
        ),
        migrations.AlterModelOptions(name="checkinframe", options={"ordering": ["check_in", "index"]}),
        migrations.AlterModelOptions(name="faceresult", options={"ordering": ["check_in", "frame_index", "id"]}),
        migrations.AlterField(
            model_name="checkin",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="check_ins", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.RenameIndex(
            model_name="checkin", new_name="detection_checkin_owner_recent", old_name="detection_s_owner_i_19f151_idx"
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind__in", ["upload", "webcam", "manual"])), name="check_in_kind_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(("status__in", ["queued", "running", "done", "failed"])),
                name="check_in_status_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("confidence__isnull", True),
                    models.Q(("confidence__gte", 0), ("confidence__lte", 1)),
                    _connector="OR",
                ),
                name="check_in_confidence_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "done"), _negated=True),
                    models.Q(("emotions__isnull", False), models.Q(("top_emotion", ""), _negated=True)),
                    _connector="OR",
                ),
                name="check_in_done_has_result",
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "failed"), _negated=True), models.Q(("error", ""), _negated=True), _connector="OR"
                ),
                name="check_in_failed_has_error",
            ),
        ),
    ]
