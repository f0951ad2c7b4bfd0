import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from music.catalog.csv_export import songs_to_csv
from music.models import Song


class Command(BaseCommand):
    help = "Export the catalog as CSV in the generic format that import_songs reads (to FILE, or stdout)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--active-only", action="store_true")

    def handle(self, *args, file: Path | None, active_only: bool, **options):
        songs = Song.objects.select_related("genre").order_by("id")
        if active_only:
            songs = songs.filter(active=True)
        out = file.open("w", encoding="utf-8", newline="") if file else sys.stdout
        try:
            for chunk in songs_to_csv(songs.iterator(chunk_size=2000)):
                out.write(chunk)
        finally:
            if file:
                out.close()
