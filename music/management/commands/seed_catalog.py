from django.core.management.base import BaseCommand, CommandError

from music.catalog.building import SHIPPED_CATALOG, read_shipped
from music.catalog.importing import song_import
from music.catalog.services import genres_seed


class Command(BaseCommand):
    help = (
        "Load the genre vocabulary and the shipped song catalogue (music/data/catalog.csv.gz). Idempotent: "
        "re-running adds what is missing and never overwrites a curator's tags or edits."
    )

    def handle(self, *args, **options):
        added = genres_seed()
        if added:
            self.stdout.write(f"Genre vocabulary: {added} genre(s) added.")
        report = song_import(data=read_shipped(SHIPPED_CATALOG))
        if not report.ok:
            raise CommandError("; ".join(f"line {line}: {message}" for line, message in report.errors[:20]))
        self.stdout.write(self.style.SUCCESS(f"Song catalogue: {report.summary()}"))
