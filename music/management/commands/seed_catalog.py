from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from music.catalog.services import genres_seed, song_import

STARTER_CATALOG = Path(__file__).resolve().parents[2] / "data" / "starter_catalog.csv"


class Command(BaseCommand):
    help = "Load the genre vocabulary and the hand-curated starter catalog (idempotent: re-running updates, never duplicates)."

    def handle(self, *args, **options):
        added = genres_seed()
        if added:
            self.stdout.write(f"Genre vocabulary: {added} genre(s) added.")
        report = song_import(data=STARTER_CATALOG.read_bytes())
        if not report.ok:
            raise CommandError("; ".join(f"line {line}: {message}" for line, message in report.errors))
        self.stdout.write(self.style.SUCCESS(f"Starter catalog: {report.summary()}"))
