from django.db import migrations


class Migration(migrations.Migration):
    """API tokens moved to django-rest-knox, which stores only their SHA-512 digests.

    DRF's authtoken table held every token in clear text: drop it, so an old
    copy of the database holds no usable credential. Clients log in again.
    """

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
