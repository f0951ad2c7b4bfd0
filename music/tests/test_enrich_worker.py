"""Enrichment queued through the API runs in a real Celery worker process (Redis broker,
PostgreSQL), asking the local fake iTunes service."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from music.models import Song
from music.tests.factories import SongFactory
from music.tests.fake_itunes import FakeItunes
from tests.integration.workers import wait_until

pytestmark = pytest.mark.integration


def test_a_worker_enriches_the_songs_a_curator_queued(request, transactional_db, monkeypatch):
    curator = UserFactory(goal="match", username="curator", is_staff=True)
    curator.user_permissions.add(Permission.objects.get(codename="change_song"))
    hello = SongFactory(artist="Adele", title="Hello", duration=None)
    unknown = SongFactory(artist="Nobody", title="Nothing")
    with FakeItunes() as fake:
        fake.add("Adele", "Hello", seconds=295)
        # The worker is another process: it reads the service's address from the environment,
        # which the worker fixture copies when it is set up, so it is set up after this.
        monkeypatch.setenv("ITUNES_SEARCH_URL", fake.url)
        monkeypatch.setenv("ITUNES_REQUESTS_PER_MINUTE", "0")
        workers = request.getfixturevalue("celery_workers")(count=1, concurrency=1)
        client = APIClient()
        client.force_authenticate(curator)
        response = client.post("/api/v1/songs/enrich/", {"songs": [hello.pk, unknown.pk]}, format="json")
        assert response.status_code == 202
        wait_until(
            lambda: not Song.objects.filter(pk__in=[hello.pk, unknown.pk], enrichment="").exists(),
            timeout=60,
            message=workers.logs,
        )
    hello.refresh_from_db()
    assert hello.enrichment == "matched" and hello.duration == 295 and hello.preview_url == fake.tracks[0]["previewUrl"]
    assert Song.objects.get(pk=unknown.pk).enrichment == "unmatched"
    assert "music.catalog.tasks.songs_enrich_task" in workers.logs()
