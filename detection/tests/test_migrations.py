"""The link between check-ins and their song lists moved from music's table to detection's: existing
links survive the migration both ways (on SQLite and PostgreSQL alike)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0002_drop_clear_text_api_tokens"),
    ("detection", "0006_words"),
    ("music", "0009_listener_preferences"),
]
AFTER = [
    ("accounts", "0002_drop_clear_text_api_tokens"),
    ("detection", "0007_check_in_recommendations"),
    ("music", "0010_recommendation_check_in_moves_to_detection"),
]


def migrated(targets):
    """The app registry of the database after migrating it to `targets`."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_links_between_check_ins_and_lists_survive_the_move():
    try:
        old = migrated(BEFORE)
        user = old.get_model("accounts", "User").objects.create(username="moved")
        CheckIn, Recommendation = old.get_model("detection", "CheckIn"), old.get_model("music", "Recommendation")
        check_ins = [CheckIn.objects.create(owner=user, kind="manual") for _ in range(2)]
        made = {"first": check_ins[0], "corrected": check_ins[0], "second": check_ins[1], "by hand": None}
        lists = {
            name: Recommendation.objects.create(user=user, check_in=c, goal="match", emotions={}, seed=1)
            for name, c in made.items()
        }

        new = migrated(AFTER)
        Link = new.get_model("detection", "CheckInRecommendation")
        assert set(Link.objects.values_list("recommendation_id", "check_in_id")) == {
            (lists[name].pk, check_in.pk) for name, check_in in made.items() if check_in is not None
        }
        assert new.get_model("music", "Recommendation").objects.count() == 4

        old = migrated(BEFORE)
        restored = dict(old.get_model("music", "Recommendation").objects.values_list("pk", "check_in_id"))
        assert restored == {lists[name].pk: c.pk if c else None for name, c in made.items()}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
