from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.consent import CONSENT_VERSION
from accounts.models import User

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-93-lantern"


def test_user_create_reports_every_problem_per_field(alice):
    with pytest.raises(ValidationError) as exc:
        services.user_create(username="ALICE", email="alice@EXAMPLE.com", password="123")
    assert set(exc.value.message_dict) == {"username", "email", "password"}


def test_user_create_turns_a_lost_race_into_a_validation_error(alice, monkeypatch):
    # Two signups pass the checks at once; the second insert hits the unique constraint.
    monkeypatch.setattr(services, "username_is_taken", lambda username: False)
    with pytest.raises(ValidationError) as exc:
        services.user_create(username="alice", email="other@example.com", password=STRONG)
    assert exc.value.message_dict == {"username": [services.TAKEN_RACE]}
    assert User.objects.count() == 1


def test_user_update_refuses_an_unknown_goal_and_a_taken_email(alice, bob):
    with pytest.raises(ValidationError):
        services.user_update(alice, goal="dance")
    with pytest.raises(ValidationError):
        services.user_update(alice, email="BOB@example.com")
    alice.refresh_from_db()
    assert (alice.goal, alice.email) == ("match_then_lift", "alice@example.com")


def test_consent_give_records_the_time_and_refuses_old_versions(bob):
    before = timezone.now()
    services.user_consent_give(bob, version=CONSENT_VERSION)
    bob.refresh_from_db()
    assert bob.consent_version == CONSENT_VERSION and bob.consent_at >= before
    with pytest.raises(ValidationError):
        services.user_consent_give(bob, version="2000-01")


def test_login_records_purge_keeps_recent_records():
    old = AccessLog.objects.create(username="a", ip_address="10.0.0.1", user_agent="x", path_info="/")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=31))
    recent = AccessLog.objects.create(username="a", ip_address="10.0.0.1", user_agent="x", path_info="/")
    AccessAttempt.objects.create(username="a", ip_address="10.0.0.1", user_agent="x", failures_since_start=1)
    assert services.login_records_purge(older_than_days=30) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]
    assert AccessAttempt.objects.count() == 1
